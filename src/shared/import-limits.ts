// The largest model the lab imports, shared by the renderer (checked before sending) and the
// lab (checked on arrival): model.json up to 10 MiB and 200 MiB of weights, as model-files checks.
export const MAX_IMPORT_BYTES = 210 * 2 ** 20;
/** The same files as base64, the form they cross the contract in. */
export const MAX_IMPORT_BASE64 = Math.ceil(MAX_IMPORT_BYTES / 3) * 4;
