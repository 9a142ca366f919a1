import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

/**
 * `google.rpc.Status` with `ErrorInfo` and `RetryInfo` details, encoded by hand: these three
 * small messages are all we need from googleapis, and every gRPC language can decode them
 * from the standard `grpc-status-details-bin` trailer.
 */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";
export const ERROR_DOMAIN = "conduit.dev";
const ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo";
const RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

export interface StatusDetails {
  code: number;
  message: string;
  reason: string;
  metadata: Record<string, string>;
  retryDelayMs?: number;
}

export function encodeStatusDetails(d: StatusDetails): Uint8Array {
  const info = new BinaryWriter().uint32(10).string(d.reason).uint32(18).string(ERROR_DOMAIN);
  for (const [key, value] of Object.entries(d.metadata)) {
    info.uint32(26).fork().uint32(10).string(key).uint32(18).string(value).join();
  }
  const status = new BinaryWriter().uint32(8).int32(d.code).uint32(18).string(d.message);
  writeAny(status, ERROR_INFO_TYPE, info.finish());
  if (d.retryDelayMs !== undefined) {
    const seconds = Math.floor(d.retryDelayMs / 1000);
    const nanos = Math.round((d.retryDelayMs % 1000) * 1e6);
    const duration = new BinaryWriter().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();
    writeAny(status, RETRY_INFO_TYPE, new BinaryWriter().uint32(10).bytes(duration).finish());
  }
  return status.finish();
}

function writeAny(w: BinaryWriter, typeUrl: string, value: Uint8Array): void {
  w.uint32(26).fork().uint32(10).string(typeUrl).uint32(18).bytes(value).join();
}

/** Decodes what `encodeStatusDetails` wrote; unknown detail types are skipped. */
export function decodeStatusDetails(bytes: Uint8Array): StatusDetails {
  const out: StatusDetails = { code: 0, message: "", reason: "", metadata: {} };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 8) out.code = r.int32();
    else if (tag === 18) out.message = r.string();
    else if (tag === 26) readAny(r.bytes(), out);
    else r.skip(tag & 7);
  }
  return out;
}

function readAny(bytes: Uint8Array, out: StatusDetails): void {
  const r = new BinaryReader(bytes);
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array();
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 10) typeUrl = r.string();
    else if (tag === 18) value = r.bytes();
    else r.skip(tag & 7);
  }
  if (typeUrl === ERROR_INFO_TYPE) readErrorInfo(value, out);
  if (typeUrl === RETRY_INFO_TYPE) out.retryDelayMs = readRetryDelay(value);
}

function readErrorInfo(bytes: Uint8Array, out: StatusDetails): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 10) out.reason = r.string();
    else if (tag === 26) {
      const entry = new BinaryReader(r.bytes());
      let key = "";
      let value = "";
      while (entry.pos < entry.len) {
        const t = entry.uint32();
        if (t === 10) key = entry.string();
        else if (t === 18) value = entry.string();
        else entry.skip(t & 7);
      }
      out.metadata[key] = value;
    } else r.skip(tag & 7);
  }
}

function readRetryDelay(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let ms = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const d = new BinaryReader(r.bytes());
    while (d.pos < d.len) {
      const t = d.uint32();
      if (t === 8) ms += Number(d.int64()) * 1000;
      else if (t === 16) ms += d.int32() / 1e6;
      else d.skip(t & 7);
    }
  }
  return ms;
}
