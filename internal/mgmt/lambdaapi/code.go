package lambdaapi

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxUnzipped is Lambda's limit on a function's unpacked code (250 MB).
const maxUnzipped = 250 << 20

var errUnzip = invalidParam("Could not unzip uploaded file. Please check your file, then try to upload again.")

// zipDigest checks that zb is a zip archive and returns its CodeSha256
// (base64 of the SHA-256 of the archive).
func zipDigest(zb []byte) (string, error) {
	if _, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb))); err != nil {
		return "", errUnzip
	}
	sum := sha256.Sum256(zb)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// unpack unzips zb under the function's code directory for its digest
// (kept if already there) and returns the digest and the archive size.
func (s *Service) unpack(name string, zb []byte) (string, int64, error) {
	sha, err := zipDigest(zb)
	if err != nil {
		return "", 0, err
	}
	dir := s.codeDir(name, sha)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return sha, int64(len(zb)), nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(s.codeRoot), "."+name+"-")
	if err != nil {
		return "", 0, fmt.Errorf("unpack code of %s: %w", name, err)
	}
	if err := extract(zb, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", 0, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", 0, fmt.Errorf("unpack code of %s: %w", name, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return "", 0, fmt.Errorf("unpack code of %s: %w", name, err)
	}
	return sha, int64(len(zb)), nil
}

// extract writes the archive's regular files and directories below dir,
// keeping their permission bits (files without Unix modes are made
// executable, as Lambda does for archives built on Windows). Entries
// that would land outside dir and symbolic links are refused.
func extract(zb []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		return errUnzip
	}
	var total uint64
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if filepath.IsAbs(name) || !filepath.IsLocal(strings.TrimSuffix(name, string(filepath.Separator))) {
			return invalidParam("Could not unzip uploaded file: entry %q leaves the code directory.", f.Name)
		}
		p := filepath.Join(dir, name)
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(p, 0o755); err != nil {
				return fmt.Errorf("unpack %s: %w", f.Name, err)
			}
			continue
		case mode&os.ModeSymlink != 0:
			return invalidParam("Could not unzip uploaded file: symbolic link %q is not supported.", f.Name)
		case !mode.IsRegular():
			continue
		}
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return invalidParam("Unzipped size must be smaller than 262144000 bytes")
		}
		perm := mode.Perm()
		if perm == 0 {
			perm = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("unpack %s: %w", f.Name, err)
		}
		if err := writeEntry(f, p, perm|0o400); err != nil {
			return err
		}
	}
	return nil
}

func writeEntry(f *zip.File, p string, perm os.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return errUnzip
	}
	defer rc.Close()
	w, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", f.Name, err)
	}
	if _, err := io.Copy(w, io.LimitReader(rc, maxUnzipped+1)); err != nil {
		w.Close()
		return errUnzip
	}
	return w.Close()
}
