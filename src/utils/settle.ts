// A final operation state as a result: the operation itself on Success, else OperationError.
import { OperationError } from "./errors.js";
import type { Operation } from "../types/lxd.js";

/** `id` names the operation in the error (the caller's normalized id; LXD's own by default). */
export function settle(op: Operation, id: string = op.id): Operation {
  // 200 is StatusCode.Success: a literal, so that a bundle need not carry the whole table.
  if (op.status_code === 200) return op;
  throw new OperationError(id, { statusCode: op.status_code, status: op.status, err: op.err, operation: op });
}
