#!/usr/bin/env bash
# Version control of the administrative forms: git init, add and commit
# inside the records tree, then a second commit with one new form.
set -euo pipefail
DIR=${1:?usage: benign-git.sh DIR}
cd "$DIR/admin/forms"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Records Office" GIT_AUTHOR_EMAIL=records@hospital.example \
	GIT_COMMITTER_NAME="Records Office" GIT_COMMITTER_EMAIL=records@hospital.example
git init -q -b main .
git add -A
git commit -q -m "Forms as of 2024-03-14"
cp ../protocols/protocol-001.pdf form-031-attachment.pdf
git add form-031-attachment.pdf
git commit -q -m "Attachment for form 31"
git rev-list --count HEAD
