// How much of an executable is debug information and symbols — what `go build -ldflags "-s -w"`
// (or `strip`) would leave out — read from the ELF section headers. pitstop only says so; it
// never changes the user's build flags.

export interface DebugInfo {
  /** Bytes in .debug*, .zdebug*, .symtab and .strtab sections. */
  strippable: number;
  /** The file is a Go program (it has Go's build info or line tables). */
  go: boolean;
}

export function debugInfo(file: Uint8Array): DebugInfo | undefined {
  // ELF, 64-bit, little-endian: what Go builds for linux/amd64 and arm64.
  if (file.length < 64 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) {
    return undefined;
  }
  if (file[4] !== 2 || file[5] !== 1) return undefined;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > file.length || shstrndx >= shnum) {
    return undefined;
  }
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: view.getUint32(at, true),
      offset: Number(view.getBigUint64(at + 0x18, true)),
      size: Number(view.getBigUint64(at + 0x20, true)),
    };
  };
  const names = section(shstrndx);
  const nameOf = (offset: number) => {
    let end = names.offset + offset;
    while (end < file.length && file[end] !== 0) end++;
    return new TextDecoder().decode(file.subarray(names.offset + offset, end));
  };
  let strippable = 0;
  let go = false;
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const name = nameOf(s.name);
    if (/^\.(z?debug|symtab$|strtab$)/.test(name)) strippable += s.size;
    if (name === '.go.buildinfo' || name === '.gopclntab') go = true;
  }
  return { strippable, go };
}
