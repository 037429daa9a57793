#!/usr/bin/env bash
# medforms-deb.sh VERSION DIR OUT: builds OUT/medforms_VERSION_all.deb, a
# package of 40 form templates installed into DIR/forms (the records tree),
# as a clinical application ships its documents. Each version has other
# contents, so that an upgrade replaces every file.
set -euo pipefail
VERSION=${1:?usage: medforms-deb.sh VERSION DIR OUT}
DIR=${2:?usage: medforms-deb.sh VERSION DIR OUT}
OUT=${3:?usage: medforms-deb.sh VERSION DIR OUT}
build=$OUT/medforms-$VERSION
rm -rf "$build"
mkdir -p "$build/DEBIAN" "$build$DIR/forms"
cat >"$build/DEBIAN/control" <<CONTROL
Package: medforms
Version: $VERSION
Architecture: all
Maintainer: Hospital IT <it@hospital.example>
Description: clinical form templates
 Admission, consent and discharge forms for the records share.
CONTROL
for i in $(seq -w 1 40); do
	for line in $(seq 1 60); do
		echo "Form $i, revision $VERSION, line $line: patient name ____ date of birth ____ ward ____"
	done >"$build$DIR/forms/form-$i.txt"
done
dpkg-deb --root-owner-group --build "$build" "$OUT/medforms_${VERSION}_all.deb" >/dev/null
rm -rf "$build"
