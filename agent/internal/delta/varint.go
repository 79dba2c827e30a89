package delta

import "io"

// readUvarint reads what binary.PutUvarint writes. Unlike
// binary.ReadUvarint it tells an overlong varint (a malformed delta) from a
// read error by type, and a stream that ends inside one is cut short.
func readUvarint(r io.ByteReader) (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && shift > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			if shift == 63 && b > 1 {
				break
			}
			return x, nil
		}
	}
	return 0, fail("bad varint")
}

// readVarint reads what binary.PutVarint writes (zigzag).
func readVarint(r io.ByteReader) (int64, error) {
	u, err := readUvarint(r)
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x, err
}
