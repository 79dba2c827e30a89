// Just enough of the protobuf wire format to read BuildKit's progress messages (the daemon
// sends them base64-encoded in the build stream). A generated decoder would pull in a runtime
// and .proto files for five fields.

export interface Field {
  num: number;
  /** Varint fields (wire type 0). */
  int?: bigint;
  /** Length-delimited fields (wire type 2): strings, bytes, nested messages. */
  bytes?: Uint8Array;
}

export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const byte = buf[pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) fields.push({ num, int: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error('protobuf: truncated field');
      fields.push({ num, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return fields;
}

const decoder = new TextDecoder();

export function text(field: Field | undefined): string {
  return field?.bytes ? decoder.decode(field.bytes) : '';
}

/** google.protobuf.Timestamp → epoch milliseconds. */
export function timestamp(field: Field | undefined): number | undefined {
  if (!field?.bytes) return undefined;
  const parts = readFields(field.bytes);
  const seconds = Number(parts.find((f) => f.num === 1)?.int ?? 0n);
  const nanos = Number(parts.find((f) => f.num === 2)?.int ?? 0n);
  return seconds * 1000 + nanos / 1e6;
}
