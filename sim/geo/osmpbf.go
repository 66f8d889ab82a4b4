package geo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal reader of the OpenStreetMap PBF format
// (https://wiki.openstreetmap.org/wiki/PBF_Format): nodes (plain and
// dense) with their coordinates, ways with their node references and tags;
// relations, metadata and history are skipped. It is written here rather
// than taken from github.com/paulmach/osm/osmpbf because that package
// decompresses through cgo (github.com/datadog/czlib) whenever cgo is
// enabled, and this project builds without cgo; the XML form is read with
// paulmach/osm's osmxml (osm.go).

// osmNode is a node's id and position in degrees.
type osmNode struct {
	id       int64
	lon, lat float64
}

// osmWay is a way's id, node references and tags.
type osmWay struct {
	id   int64
	refs []int64
	tags map[string]string
}

// maxPBFBlob bounds a blob's compressed and raw size (the format's own
// limit: 32 MiB).
const maxPBFBlob = 32 << 20

// isPBF reports whether data starts like an OSM PBF file: a 4-byte length
// and a BlobHeader of type "OSMHeader".
func isPBF(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	n := binary.BigEndian.Uint32(data)
	if n == 0 || n > 64<<10 || int(n) > len(data)-4 {
		return false
	}
	return bytes.Contains(data[4:4+n], []byte("OSMHeader"))
}

// readPBF calls node and way for every node and way of the PBF file data,
// in file order. A nil node or way skips those elements (and the decoding
// of their groups).
func readPBF(data []byte, node func(osmNode), way func(osmWay)) error {
	off := 0
	for blob := 0; off < len(data); blob++ {
		if len(data)-off < 4 {
			return fmt.Errorf("blob %d: truncated length at byte %d", blob, off)
		}
		hl := int(binary.BigEndian.Uint32(data[off:]))
		off += 4
		if hl > 64<<10 || hl > len(data)-off {
			return fmt.Errorf("blob %d: header of %d bytes at byte %d: truncated or not a PBF file", blob, hl, off-4)
		}
		typ, size, err := pbfBlobHeader(data[off : off+hl])
		if err != nil {
			return fmt.Errorf("blob %d: header: %w", blob, err)
		}
		off += hl
		if size < 0 || size > maxPBFBlob || size > len(data)-off {
			return fmt.Errorf("blob %d: %d bytes at byte %d: truncated file", blob, size, off)
		}
		blobData := data[off : off+size]
		off += size
		if typ != "OSMHeader" && typ != "OSMData" {
			continue // a reader skips blob types it does not know (PBF format)
		}
		raw, err := pbfBlob(blobData)
		if err != nil {
			return fmt.Errorf("blob %d (%s): %w", blob, typ, err)
		}
		switch typ {
		case "OSMHeader":
			if err := pbfHeader(raw); err != nil {
				return err
			}
		case "OSMData":
			if err := pbfBlock(raw, node, way); err != nil {
				return fmt.Errorf("blob %d: %w", blob, err)
			}
		}
	}
	return nil
}

// pbfFields calls f with every field of the protobuf message b.
func pbfFields(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, bs []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var bs []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			bs, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, typ, v, bs); err != nil {
			return err
		}
	}
	return nil
}

func pbfBlobHeader(b []byte) (typ string, size int, err error) {
	err = pbfFields(b, func(num protowire.Number, _ protowire.Type, v uint64, bs []byte) error {
		switch num {
		case 1:
			typ = string(bs)
		case 3:
			size = int(int32(v))
		}
		return nil
	})
	return typ, size, err
}

// pbfBlob returns the decompressed content of a Blob (raw or zlib).
func pbfBlob(b []byte) ([]byte, error) {
	var raw, z []byte
	rawSize := -1
	other := 0
	err := pbfFields(b, func(num protowire.Number, _ protowire.Type, v uint64, bs []byte) error {
		switch num {
		case 1:
			raw = bs
		case 2:
			rawSize = int(int32(v))
		case 3:
			z = bs
		case 4, 5, 6, 7:
			other = int(num)
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case raw != nil:
		return raw, nil
	case z != nil:
		if rawSize < 0 || rawSize > maxPBFBlob {
			return nil, fmt.Errorf("raw size %d bytes: want 0 … %d", rawSize, maxPBFBlob)
		}
		r, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		out := make([]byte, rawSize)
		if _, err := io.ReadFull(r, out); err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		return out, nil
	case other != 0:
		return nil, fmt.Errorf("compression of field %d (lzma, bzip2, lz4 or zstd) not supported: recompress with zlib (osmium cat -f pbf)", other)
	}
	return nil, errors.New("blob without data")
}

// pbfHeader checks that the file needs no feature this reader lacks.
func pbfHeader(b []byte) error {
	return pbfFields(b, func(num protowire.Number, _ protowire.Type, _ uint64, bs []byte) error {
		if num == 4 { // required_features
			switch f := string(bs); f {
			case "OsmSchema-V0.6", "DenseNodes":
			default:
				return fmt.Errorf("the file requires the feature %q, which this reader does not support", f)
			}
		}
		return nil
	})
}

// pbfBlock reads a PrimitiveBlock.
func pbfBlock(b []byte, node func(osmNode), way func(osmWay)) error {
	var strs []string
	var groups [][]byte
	gran, latOff, lonOff := int64(100), int64(0), int64(0)
	err := pbfFields(b, func(num protowire.Number, _ protowire.Type, v uint64, bs []byte) error {
		switch num {
		case 1: // StringTable
			return pbfFields(bs, func(num protowire.Number, _ protowire.Type, _ uint64, s []byte) error {
				if num == 1 {
					strs = append(strs, string(s))
				}
				return nil
			})
		case 2:
			groups = append(groups, bs)
		case 17:
			gran = int64(int32(v))
		case 19:
			latOff = int64(v)
		case 20:
			lonOff = int64(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	str := func(i uint64) (string, error) {
		if i >= uint64(len(strs)) {
			return "", fmt.Errorf("string index %d beyond the table's %d", i, len(strs))
		}
		return strs[i], nil
	}
	deg := func(off, v int64) float64 { return 1e-9 * float64(off+gran*v) }
	for _, g := range groups {
		err := pbfFields(g, func(num protowire.Number, _ protowire.Type, _ uint64, bs []byte) error {
			if (num == 1 || num == 2) && node == nil || num == 3 && way == nil {
				return nil
			}
			switch num {
			case 1: // Node
				var n osmNode
				var lat, lon int64
				err := pbfFields(bs, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
					switch num {
					case 1:
						n.id = protowire.DecodeZigZag(v)
					case 8:
						lat = protowire.DecodeZigZag(v)
					case 9:
						lon = protowire.DecodeZigZag(v)
					}
					return nil
				})
				if err != nil {
					return err
				}
				n.lat, n.lon = deg(latOff, lat), deg(lonOff, lon)
				node(n)
			case 2: // DenseNodes
				var ids, lats, lons []int64
				err := pbfFields(bs, func(num protowire.Number, typ protowire.Type, _ uint64, p []byte) error {
					var dst *[]int64
					switch num {
					case 1:
						dst = &ids
					case 8:
						dst = &lats
					case 9:
						dst = &lons
					default:
						return nil
					}
					if typ != protowire.BytesType {
						return errors.New("dense nodes: unpacked field")
					}
					for len(p) > 0 {
						v, n := protowire.ConsumeVarint(p)
						if n < 0 {
							return protowire.ParseError(n)
						}
						p = p[n:]
						*dst = append(*dst, protowire.DecodeZigZag(v))
					}
					return nil
				})
				if err != nil {
					return err
				}
				if len(lats) != len(ids) || len(lons) != len(ids) {
					return fmt.Errorf("dense nodes: %d ids, %d lats, %d lons", len(ids), len(lats), len(lons))
				}
				var id, lat, lon int64
				for i := range ids {
					id, lat, lon = id+ids[i], lat+lats[i], lon+lons[i]
					node(osmNode{id: id, lat: deg(latOff, lat), lon: deg(lonOff, lon)})
				}
			case 3: // Way
				w := osmWay{tags: map[string]string{}}
				var keys, vals []uint64
				err := pbfFields(bs, func(num protowire.Number, typ protowire.Type, v uint64, p []byte) error {
					switch num {
					case 1:
						w.id = int64(v)
						return nil
					case 2, 3, 8:
					default:
						return nil
					}
					if typ != protowire.BytesType {
						return errors.New("way: unpacked field")
					}
					var ref int64
					for len(p) > 0 {
						x, n := protowire.ConsumeVarint(p)
						if n < 0 {
							return protowire.ParseError(n)
						}
						p = p[n:]
						switch num {
						case 2:
							keys = append(keys, x)
						case 3:
							vals = append(vals, x)
						case 8:
							ref += protowire.DecodeZigZag(x)
							w.refs = append(w.refs, ref)
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
				if len(keys) != len(vals) {
					return fmt.Errorf("way %d: %d keys, %d values", w.id, len(keys), len(vals))
				}
				for i := range keys {
					k, err := str(keys[i])
					if err != nil {
						return fmt.Errorf("way %d: %w", w.id, err)
					}
					v, err := str(vals[i])
					if err != nil {
						return fmt.Errorf("way %d: %w", w.id, err)
					}
					w.tags[k] = v
				}
				way(w)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
