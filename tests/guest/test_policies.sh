#!/usr/bin/env bash
# The shipped policies (policies/*.policy) on the real kernel path: for each,
# what it names is set up in the guest, `medguard run --policy FILE --enforce`
# runs it, and real processes check its rules: the programs it names may do
# what their rules allow and nothing else, unsigned programs are refused,
# group, user and unit rules match, and audit rules let the operation through
# and log an "audit" verdict. `policy check` accepts each policy and
# `policy show` prints each of its rules.
#
# Test programs are copies of mg_try put where the policy names a program.
# Trust follows provenance: the test shell is an untrusted lineage, so what
# a policy trusts runs as a trusted lineage started by a launcher: for
# default.policy its own (admin, /usr/local/sbin/medguard-exec, signed by
# it-release), for the others lib.sh's, whose policy the relocated copy
# includes (`trusted CMD...`). Unsigned programs run from the test shell.
# Paths under /usr (other than /usr/local) cannot be created in the guest:
# for those only, a copy of the policy moves the path under $USR_ROOT
# (relocate below); everything else of the policy is used as written.
. "$(dirname "$0")/lib.sh"

# MG_POLICIES_SMOKE=1 (make check): default.policy enforcing and
# emr-server.policy only, each daemon start being minutes under emulation;
# make check-policies runs every policy. The server suite runs the default
# policy in audit mode as the package ships it.
full_run() { [ "${MG_POLICIES_SMOKE:-0}" != 1 ]; }

# Every policy trusts packages: reading dpkg's database cold over 9p is most
# of the first start, so it is read once now, while the rest is set up.
cat /var/lib/dpkg/status /var/lib/dpkg/info/*.md5sums >/dev/null 2>&1 &

POLICIES=$REPO/policies
TEST_ROOT=/opt/medguard-test
BIN=$TEST_ROOT/bin          # world-readable: the backup user runs binaries from here
USR_ROOT=$TEST_ROOT/usr-root
KEYS=/etc/medguard/keys
mkdir -p "$BIN" "$KEYS"
chmod 755 "$TEST_ROOT" "$BIN"

# The keys the policies name, and one they do not.
new_key it-release
new_key pacs-vendor
new_key stranger
new_key backup
cp "$WORK/it-release.pub" "$KEYS/it-release.pem"
cp "$WORK/backup.pub" "$KEYS/backup.pem"
cp "$WORK/pacs-vendor.pub" "$KEYS/pacs-vendor.pem"

# install_try PATH [KEY]: a copy of mg_try at PATH, signed by KEY when given
# (a copy of one signed file: the signature is over the content, not the path).
install_try() {
	mkdir -p "$(dirname "$1")"
	if [ -n "${2:-}" ]; then
		if [ ! -e "$WORK/mg_try.$2" ]; then
			fresh_try "$WORK/mg_try.$2"
			"$MEDGUARD" sign "$WORK/mg_try.$2" --key "$WORK/$2.key" >/dev/null || echo "# cannot sign with $2"
		fi
		cp --preserve=mode,xattr "$WORK/mg_try.$2" "$1"
	else
		fresh_try "$1"
	fi
}

# relocate POLICY OUT PATH...: OUT is POLICY with each PATH (a program file
# under the read-only /usr) moved under $USR_ROOT, and nothing else changed.
# This holds even where the package is installed on the host (postgresql-15
# may be): its files cannot be replaced by test programs.
relocate() {
	local in=$1 out=$2 path
	shift 2
	cp "$in" "$out"
	for path in "$@"; do
		grep -qF "\"$path\"" "$out" || echo "# relocate: $path is not in $in"
		sed -i "s#\"$path\"#\"$USR_ROOT$path\"#g" "$out"
	done
	printf '\n# The test launcher (lib.sh): trusted lineages for the test programs.\ninclude "%s";\n' "$LAUNCHER_POLICY" >>"$out"
}

# learn PATH: runs PATH once, long enough for the daemon to verify it after
# the trust miss of its first exec (for trusted files no trust source lists).
learn() {
	local job
	"$1" hold /etc/hostname 10 >/dev/null &
	job=$!
	wait_event '"event":"trusted"' "\"detail\":\"$1\"" || echo "# the daemon did not learn $1"
	kill "$job" 2>/dev/null
	wait "$job" 2>/dev/null
}

# audited NAME PATH RULE: an "audit" verdict for PATH, by RULE, was logged.
audited() {
	if wait_event '"verdict":"audit"' "\"path\":\"$2\"" "$3"; then
		ok "$1"
	else
		not_ok "$1: no audit event for $2 by '$3': $(grep -v trust-miss "$EVENTS" | tail -n 3 | tr '\n' ' ')"
	fi
}

as_backup() { setpriv --reuid=backup --regid=backup --init-groups "$@"; }

# policy_cli NAME FILE: `policy check` exits 0 and `policy show` prints every rule with its line.
policy_cli() {
	local name=$1 file=$2 shown missing
	expect "policies: $name: medguard policy check exits 0" 0 "$MEDGUARD" policy check "$file"
	shown=$("$MEDGUARD" policy show "$file" 2>&1)
	missing=$(awk -v file="$file" '
		/^on / { inside = 1; next }
		inside && /^}/ { inside = 0 }
		inside && /^[ \t]*(allow|deny|audit)/ {
			text = $0
			sub(/[ \t]*#.*/, "", text); sub(/^[ \t]+/, "", text); sub(/[ \t]*;[ \t]*$/, "", text)
			print file ":" NR ": " text
		}' "$file" | while IFS= read -r line; do
		echo "$shown" | grep -qF -- "$line" || echo "$line"
	done)
	if [ -n "$shown" ] && [ -z "$missing" ] && echo "$shown" | grep -q '^records '; then
		ok "policies: $name: medguard policy show prints its records and every rule with its line"
	else
		not_ok "policies: $name: policy show lacks: $(echo "$missing" | head -n 2 | tr '\n' ' ') $(echo "$shown" | head -n 3 | tr '\n' ' ')"
	fi
}

U=$BIN/unsigned
install_try "$U"

# ---- default.policy ---------------------------------------------------------
# Trust from the it-release key, an allowlist and packages; a trust scan of
# /usr/local/sbin; trusted software may read, write, create, rename, chmod;
# signed deletions are logged; unsigned programs and interpreters are refused.
records=/srv/medical-records
mkdir -p "$records/ward"
for name in a b c d; do echo "chart $name" >"$records/ward/$name.txt"; done
echo "decoy" >"$records/.medguard-canary-1"
SIGNED=/usr/local/sbin/mg-release-tool
install_try "$SIGNED" it-release
ALLOWED=$BIN/allowlisted
install_try "$ALLOWED"
# The policy's launcher, installed and signed as the policy says; and a job
# runner signed by it-release (a trusted program of the policy), for
# programs trusted by the allowlist or packages, which the launcher alone
# does not start trusted.
ADMIN=/usr/local/sbin/medguard-exec
install -m 755 "$REPO/build/medguard-exec" "$ADMIN"
"$MEDGUARD" sign "$ADMIN" --key "$WORK/it-release.key" >/dev/null
ADMIN_TRUSTED_EXEC=/usr/local/sbin/mg-trusted-exec
install -m 755 "$RUN_JOB_BUILT" "$ADMIN_TRUSTED_EXEC"
"$MEDGUARD" sign "$ADMIN_TRUSTED_EXEC" --key "$WORK/it-release.key" >/dev/null
admin_trusted() { "$ADMIN" "$ADMIN_TRUSTED_EXEC" "$@"; }
sha256sum "$ALLOWED" >/etc/medguard/allowlist.sha256
policy_cli default.policy "$POLICIES/default.policy"

if start_medguard "$POLICIES/default.policy" --enforce; then
	d=$records/ward
	expect "policies: default: a program signed by it-release in the trust-scanned /usr/local/sbin may read records" 0 "$ADMIN" "$SIGNED" read "$d/a.txt"
	expect "policies: default: the it-release-signed program may write" 0 "$ADMIN" "$SIGNED" write "$d/a.txt"
	expect "policies: default: the it-release-signed program may create" 0 "$ADMIN" "$SIGNED" create "$d/new.txt"
	expect "policies: default: the it-release-signed program may rename" 0 "$ADMIN" "$SIGNED" rename "$d/new.txt" "$d/new.locked"
	expect "policies: default: the it-release-signed program may chmod (setattr)" 0 "$ADMIN" "$SIGNED" chmod "$d/b.txt"
	expect "policies: default: the it-release-signed program is denied a hard link out of the tree (default deny)" 1 "$ADMIN" "$SIGNED" link "$d/b.txt" "/srv/b-link.txt"
	expect "policies: default: a second name inside the tree is a create" 0 "$ADMIN" "$SIGNED" link "$d/b.txt" "$d/b-link.txt"
	expect "policies: default: a signed program may delete (the behaviours watch deletions)" 0 "$ADMIN" "$SIGNED" unlink "$d/new.locked"
	expect "policies: default: the it-release-signed program started by the (untrusted) test shell is denied" 1 "$SIGNED" read "$d/a.txt"
	check "policies: default: the admin launcher's launch is an event" wait_event '"event":"launch"' '"verdict":"allowed"' "$SIGNED"
	expect "policies: default: an allowlisted program may read" 0 admin_trusted "$ALLOWED" read "$d/c.txt"
	expect "policies: default: an unsigned program is denied read" 1 "$U" read "$d/a.txt"
	expect "policies: default: an unsigned program is denied write" 1 "$U" write "$d/a.txt"
	expect "policies: default: an unsigned program is denied delete" 1 "$U" unlink "$d/c.txt"
	expect_denied "policies: default: bash (an interpreter) is denied even though it is packaged" \
		admin_trusted bash -c "read -r line < $d/a.txt"
	late=/usr/local/sbin/mg-late-tool
	install_try "$late"
	expect "policies: default: an unsigned file in /usr/local/sbin is denied" 1 "$ADMIN" "$late" read "$d/a.txt"
	"$MEDGUARD" sign "$late" --key "$WORK/it-release.key" >/dev/null
	wait_event '"event":"trusted"' "\"detail\":\"$late\""
	expect "policies: default: the same file signed while medguard runs may read" 0 "$ADMIN" "$late" read "$d/a.txt"
	stop_medguard
else
	not_ok "policies: default: medguard runs default.policy with --enforce"
fi

# As shipped, in audit mode: nothing is denied, what would be is logged.
if ! full_run; then
	skip "policies: default: audit mode" "make check-policies runs it"
elif start_medguard "$POLICIES/default.policy"; then
	expect "policies: default: in its own audit mode an unsigned program may read" 0 "$U" read "$records/ward/a.txt"
	audited "policies: default: in audit mode the unsigned read is logged with an audit verdict" "$records/ward/a.txt" "deny unsigned all"
	stop_medguard
else
	not_ok "policies: default: medguard runs default.policy in audit mode"
fi

# ---- emr-server.policy ------------------------------------------------------
# PostgreSQL alone works on /var/lib/postgresql, pg_dump reads it; emrd
# (signed by it-release) changes documents, emr-import adds them, the backup
# group reads them, emrd's deletions are logged; unsigned programs are refused.
PG=/usr/lib/postgresql/15/bin
relocate "$POLICIES/emr-server.policy" "$WORK/emr-server.policy" "$PG/postgres" "$PG/pg_dump" "$PG/pg_basebackup"
db=/var/lib/postgresql/15/medguard-test
docs=/srv/emr/documents
att=/srv/emr/attachments
mkdir -p "$db/base" "$docs/2024" "$att"
for name in 1 2 3; do echo "row $name" >"$db/base/$name"; done
for name in a b c d; do echo "scan $name" >"$docs/2024/$name.pdf"; done
# Owned by backup, so that file permissions let it try what medguard must refuse.
echo "owned by backup" >"$docs/2024/backup-owned.pdf"
chown backup:backup "$docs/2024/backup-owned.pdf"
echo "lab result" >"$att/lab.pdf"
# Packaged in real life (trusted by package); signed here, which is also a trust source.
install_try "$USR_ROOT$PG/postgres" it-release
install_try "$USR_ROOT$PG/pg_dump" it-release
install_try "$USR_ROOT$PG/pg_basebackup" it-release
install_try /opt/emr/bin/emrd it-release
install_try /opt/emr/bin/emr-worker it-release
install_try /opt/emr/bin/emr-import          # unsigned at first: signed-by it-release is required
TRUSTED=$BIN/it-release-signed               # trusted, but no program of the policy
install_try "$TRUSTED" it-release
policy_cli emr-server.policy "$POLICIES/emr-server.policy"

if start_medguard "$WORK/emr-server.policy" --enforce; then
	P=$USR_ROOT$PG/postgres
	expect "policies: emr-server: postgres may read the database" 0 trusted "$P" read "$db/base/1"
	expect "policies: emr-server: postgres may write" 0 trusted "$P" write "$db/base/1"
	expect "policies: emr-server: postgres may create" 0 trusted "$P" create "$db/base/4"
	expect "policies: emr-server: postgres may rename" 0 trusted "$P" rename "$db/base/4" "$db/base/5"
	expect "policies: emr-server: postgres may hard-link" 0 trusted "$P" link "$db/base/5" "$db/base/6"
	expect "policies: emr-server: postgres may delete" 0 trusted "$P" unlink "$db/base/6"
	expect "policies: emr-server: postgres may chown (setattr)" 0 trusted "$P" chown "$db/base/5"
	expect "policies: emr-server: pg_dump may read the database" 0 trusted "$USR_ROOT$PG/pg_dump" read "$db/base/2"
	expect "policies: emr-server: pg_basebackup (pg-dump) may read the database" 0 trusted "$USR_ROOT$PG/pg_basebackup" read "$db/base/2"
	expect "policies: emr-server: pg_dump is denied write" 1 trusted "$USR_ROOT$PG/pg_dump" write "$db/base/2"
	expect "policies: emr-server: emrd (signed, not postgres) is denied the database" 1 trusted /opt/emr/bin/emrd read "$db/base/2"
	expect "policies: emr-server: an unsigned program is denied the database" 1 "$U" read "$db/base/2"

	E=/opt/emr/bin/emrd
	expect "policies: emr-server: emrd may read documents" 0 trusted "$E" read "$docs/2024/a.pdf"
	expect "policies: emr-server: emrd may write documents" 0 trusted "$E" write "$docs/2024/a.pdf"
	expect "policies: emr-server: emrd may create documents" 0 trusted "$E" create "$docs/2024/e.pdf"
	expect "policies: emr-server: emrd may rename documents" 0 trusted "$E" rename "$docs/2024/e.pdf" "$docs/2024/f.pdf"
	expect "policies: emr-server: emrd may write attachments (second root of the records)" 0 trusted "$E" write "$att/lab.pdf"
	expect "policies: emr-server: emr-worker (emrd's second file) may write documents" 0 trusted /opt/emr/bin/emr-worker write "$docs/2024/b.pdf"
	expect "policies: emr-server: emrd is denied chmod (not in its rule)" 1 trusted "$E" chmod "$docs/2024/a.pdf"
	expect "policies: emr-server: audit deny emrd delete lets emrd delete" 0 trusted "$E" unlink "$docs/2024/f.pdf"
	audited "policies: emr-server: emrd's deletion is logged with an audit verdict" "$docs/2024/f.pdf" "audit deny emrd delete"

	I=/opt/emr/bin/emr-import
	expect "policies: emr-server: emr-import unsigned is denied create" 1 trusted "$I" create "$docs/2024/import-1.pdf"
	"$MEDGUARD" sign "$I" --key "$WORK/it-release.key" >/dev/null
	wait_event '"event":"trusted"' "\"detail\":\"$I\""
	expect "policies: emr-server: emr-import signed by it-release may create documents" 0 trusted "$I" create "$docs/2024/import-1.pdf"
	expect "policies: emr-server: emr-import is denied read" 1 trusted "$I" read "$docs/2024/a.pdf"
	expect "policies: emr-server: emr-import is denied rename" 1 trusted "$I" rename "$docs/2024/import-1.pdf" "$docs/2024/import-2.pdf"

	learn "$TRUSTED"
	expect "policies: emr-server: group backup: a trusted program as user backup may read documents" 0 trusted setpriv --reuid=backup --regid=backup --init-groups "$TRUSTED" read "$docs/2024/c.pdf"
	expect "policies: emr-server: group backup: a trusted program as user backup is denied write" 1 trusted setpriv --reuid=backup --regid=backup --init-groups "$TRUSTED" write "$docs/2024/backup-owned.pdf"
	expect "policies: emr-server: the same trusted program as root is denied (default deny)" 1 trusted "$TRUSTED" read "$docs/2024/c.pdf"
	expect "policies: emr-server: group backup: an unsigned program as user backup is denied" 1 as_backup "$U" read "$docs/2024/c.pdf"
	expect "policies: emr-server: an unsigned program is denied read" 1 "$U" read "$docs/2024/a.pdf"
	expect "policies: emr-server: an unsigned program is denied create" 1 "$U" create "$docs/2024/evil.pdf"
	expect "policies: emr-server: an unsigned program is denied rename" 1 "$U" rename "$docs/2024/a.pdf" "$docs/2024/a.pdf.enc"
	expect "policies: emr-server: an unsigned program is denied attachments" 1 "$U" read "$att/lab.pdf"
	expect_denied "policies: emr-server: python3 (an interpreter) is denied documents" \
		trusted python3 -c "open('$docs/2024/a.pdf').read()"
	stop_medguard
else
	not_ok "policies: emr-server: medguard runs emr-server.policy with --enforce"
fi

# ---- pacs-store.policy ------------------------------------------------------
# storescp writes incoming studies, Orthanc reads and deletes them; Orthanc
# stores and reads images, the retention job (signed by pacs-vendor) alone
# deletes them, the backup group reads them; nothing else is allowed.
relocate "$POLICIES/pacs-store.policy" "$WORK/pacs-store.policy" /usr/sbin/Orthanc /usr/bin/storescp
incoming=/srv/pacs/incoming
images=/var/lib/orthanc/db-v6
mkdir -p "$incoming/CT" "$images/3f"
for name in 1 2 3; do echo "DICM $name" >"$incoming/CT/$name.dcm"; done
for name in a b c; do echo "DICM $name" >"$images/3f/$name"; done
# Owned by backup, so that file permissions let it try what medguard must refuse.
mkdir -p "$images/bk"
echo "owned by backup" >"$images/bk/backup-owned"
chown -R backup:backup "$images/bk"
install_try "$USR_ROOT/usr/sbin/Orthanc" pacs-vendor
install_try "$USR_ROOT/usr/bin/storescp" pacs-vendor
install_try /opt/pacs/bin/retention pacs-vendor
policy_cli pacs-store.policy "$POLICIES/pacs-store.policy"

if ! full_run; then
	skip "policies: pacs-store" "make check-policies runs it"
elif start_medguard "$WORK/pacs-store.policy" --enforce; then
	S=$USR_ROOT/usr/bin/storescp
	O=$USR_ROOT/usr/sbin/Orthanc
	R=/opt/pacs/bin/retention
	expect "policies: pacs-store: storescp may create an incoming study" 0 trusted "$S" create "$incoming/CT/4.dcm"
	expect "policies: pacs-store: storescp may write incoming" 0 trusted "$S" write "$incoming/CT/1.dcm"
	expect "policies: pacs-store: storescp is denied read of incoming" 1 trusted "$S" read "$incoming/CT/1.dcm"
	expect "policies: pacs-store: storescp is denied delete" 1 trusted "$S" unlink "$incoming/CT/1.dcm"
	expect "policies: pacs-store: storescp is denied the images" 1 trusted "$S" create "$images/3f/x"
	expect "policies: pacs-store: Orthanc may read incoming" 0 trusted "$O" read "$incoming/CT/4.dcm"
	expect "policies: pacs-store: Orthanc may delete incoming" 0 trusted "$O" unlink "$incoming/CT/4.dcm"
	expect "policies: pacs-store: Orthanc is denied create in incoming" 1 trusted "$O" create "$incoming/CT/5.dcm"
	expect "policies: pacs-store: Orthanc may create images" 0 trusted "$O" create "$images/3f/d"
	expect "policies: pacs-store: Orthanc may write images" 0 trusted "$O" write "$images/3f/d"
	expect "policies: pacs-store: Orthanc may read images" 0 trusted "$O" read "$images/3f/a"
	expect "policies: pacs-store: Orthanc is denied delete of images" 1 trusted "$O" unlink "$images/3f/a"
	expect "policies: pacs-store: Orthanc is denied rename of images" 1 trusted "$O" rename "$images/3f/a" "$images/3f/a.enc"
	expect "policies: pacs-store: retention (signed by pacs-vendor) may delete images" 0 trusted "$R" unlink "$images/3f/d"
	expect "policies: pacs-store: retention is denied write" 1 trusted "$R" write "$images/3f/b"
	expect "policies: pacs-store: retention is denied incoming" 1 trusted "$R" unlink "$incoming/CT/2.dcm"
	expect "policies: pacs-store: group backup: user backup may read images" 0 as_backup "$U" read "$images/3f/b"
	expect "policies: pacs-store: group backup: user backup is denied write to images" 1 as_backup "$U" write "$images/bk/backup-owned"
	expect "policies: pacs-store: group backup: user backup is denied delete of images" 1 as_backup "$U" unlink "$images/bk/backup-owned"
	expect "policies: pacs-store: an unsigned program as root is denied images" 1 "$U" read "$images/3f/b"
	expect "policies: pacs-store: an unsigned program is denied create in incoming" 1 "$U" create "$incoming/CT/evil.dcm"
	install_try "$BIN/stranger-signed" stranger
	expect "policies: pacs-store: a program signed by a key the policy does not name is denied" 1 trusted "$BIN/stranger-signed" read "$images/3f/b"
	stop_medguard
else
	not_ok "policies: pacs-store: medguard runs pacs-store.policy with --enforce"
fi

# ---- file-server-backup.policy ----------------------------------------------
# Samba works on the shares, bacula-fd reads them, IT's signed restore tool
# restores them, the indexer unit reads them; bacula-sd alone writes backup
# volumes, user backup reads them, nobody deletes or renames them.
relocate "$POLICIES/file-server-backup.policy" "$WORK/file-server-backup.policy" \
	/usr/sbin/smbd /usr/sbin/bacula-fd /usr/sbin/bacula-sd
rad=/srv/samba/radiology
card=/srv/samba/cardiology
volumes=/srv/backup/volumes
indexer=/sys/fs/cgroup/system.slice/share-indexer.service
mkdir -p "$rad/reports" "$card/echo" "$volumes" "$indexer"
for name in a b c; do echo "report $name" >"$rad/reports/$name.docx"; done
echo "echo 1" >"$card/echo/1.avi"
echo "volume 1" >"$volumes/Vol-0001"
# Owned by backup, so that file permissions let it try what medguard must refuse.
mkdir -p "$volumes/pool-b"
echo "volume 2" >"$volumes/pool-b/Vol-0002"
chown -R backup:backup "$volumes/pool-b"
echo "decoy" >"$volumes/.medguard-canary"
install_try "$USR_ROOT/usr/sbin/smbd" it-release
install_try "$USR_ROOT/usr/sbin/bacula-fd" it-release
install_try "$USR_ROOT/usr/sbin/bacula-sd" it-release
install_try /usr/local/sbin/restore-share it-release
policy_cli file-server-backup.policy "$POLICIES/file-server-backup.policy"

# in_indexer_unit COMMAND...: runs COMMAND in the cgroup of share-indexer.service.
in_indexer_unit() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$indexer" "$@"; }

if ! full_run; then
	skip "policies: file-server" "make check-policies runs it"
elif start_medguard "$WORK/file-server-backup.policy" --enforce; then
	SMB=$USR_ROOT/usr/sbin/smbd
	FD=$USR_ROOT/usr/sbin/bacula-fd
	SD=$USR_ROOT/usr/sbin/bacula-sd
	RS=/usr/local/sbin/restore-share
	expect "policies: file-server: smbd may read radiology" 0 trusted "$SMB" read "$rad/reports/a.docx"
	expect "policies: file-server: smbd may write" 0 trusted "$SMB" write "$rad/reports/a.docx"
	expect "policies: file-server: smbd may create" 0 trusted "$SMB" create "$rad/reports/d.docx"
	expect "policies: file-server: smbd may rename" 0 trusted "$SMB" rename "$rad/reports/d.docx" "$rad/reports/e.docx"
	expect "policies: file-server: smbd may delete" 0 trusted "$SMB" unlink "$rad/reports/e.docx"
	expect "policies: file-server: smbd may chmod (setattr)" 0 trusted "$SMB" chmod "$rad/reports/b.docx"
	expect "policies: file-server: smbd may write cardiology (second root)" 0 trusted "$SMB" write "$card/echo/1.avi"
	expect "policies: file-server: smbd is denied a hard link out of the share" 1 trusted "$SMB" link "$rad/reports/b.docx" "/srv/samba/b2.docx"
	expect "policies: file-server: smbd may add a second name inside the share (a create)" 0 trusted "$SMB" link "$rad/reports/b.docx" "$rad/reports/b2.docx"
	expect "policies: file-server: smbd is denied the backup volumes" 1 trusted "$SMB" write "$volumes/Vol-0001"
	expect "policies: file-server: bacula-fd may read shares" 0 trusted "$FD" read "$card/echo/1.avi"
	expect "policies: file-server: bacula-fd is denied write to shares" 1 trusted "$FD" write "$card/echo/1.avi"
	expect "policies: file-server: restore-share (signed by it-release) may create" 0 trusted "$RS" create "$rad/reports/restored.docx"
	expect "policies: file-server: restore-share may rename" 0 trusted "$RS" rename "$rad/reports/restored.docx" "$rad/reports/c.docx"
	expect "policies: file-server: restore-share is denied delete" 1 trusted "$RS" unlink "$rad/reports/c.docx"
	expect "policies: file-server: unit share-indexer.service: an unsigned indexer in the unit may read" 0 in_indexer_unit "$U" read "$rad/reports/b.docx"
	expect "policies: file-server: unit share-indexer.service: the indexer is denied write" 1 in_indexer_unit "$U" write "$rad/reports/b.docx"
	expect "policies: file-server: the same program outside the unit is denied read" 1 "$U" read "$rad/reports/b.docx"
	expect "policies: file-server: an unsigned program is denied write" 1 "$U" write "$rad/reports/b.docx"
	expect "policies: file-server: an unsigned program is denied rename" 1 "$U" rename "$rad/reports/b.docx" "$rad/reports/b.docx.locked"
	expect "policies: file-server: bacula-sd may create a volume" 0 trusted "$SD" create "$volumes/Vol-0003"
	expect "policies: file-server: bacula-sd may write volumes" 0 trusted "$SD" write "$volumes/Vol-0001"
	expect "policies: file-server: bacula-sd may read volumes" 0 trusted "$SD" read "$volumes/Vol-0001"
	expect "policies: file-server: bacula-sd is denied delete of a volume" 1 trusted "$SD" unlink "$volumes/Vol-0001"
	expect "policies: file-server: bacula-sd is denied rename of a volume" 1 trusted "$SD" rename "$volumes/Vol-0001" "$volumes/Vol-0001.x"
	expect "policies: file-server: bacula-fd is denied the volumes" 1 trusted "$FD" read "$volumes/Vol-0001"
	expect "policies: file-server: user backup may read volumes" 0 as_backup "$U" read "$volumes/Vol-0001"
	expect "policies: file-server: user backup may not write volumes" 1 as_backup "$U" write "$volumes/pool-b/Vol-0002"
	expect "policies: file-server: user backup may not delete volumes" 1 as_backup "$U" unlink "$volumes/pool-b/Vol-0002"
	expect "policies: file-server: root with an unsigned program is denied volumes" 1 "$U" read "$volumes/Vol-0001"
	stop_medguard
else
	not_ok "policies: file-server: medguard runs file-server-backup.policy with --enforce"
fi
