#!/usr/bin/env bash
# A SQLite database under write load, with the sqlite3 CLI and its defaults
# (rollback journal): 400 INSERTs each in its own transaction, then 2000 in
# one transaction, an UPDATE and a DELETE, then a consistency check.
set -euo pipefail
DIR=${1:?usage: benign-sqlite.sh DIR}
DB=$DIR/db/emr-index.sqlite
{
	for i in $(seq 1 400); do
		printf "INSERT INTO encounters (mrn, name, date, ward, note) VALUES ('MRN%07d', 'Load^Test', '2024-03-14', 'ER', 'autocommit %d');\n" "$i" "$i"
	done
	echo "BEGIN;"
	for i in $(seq 1 2000); do
		printf "INSERT INTO encounters (mrn, name, date, ward, note) VALUES ('MRN%07d', 'Bulk^Load', '2024-03-15', 'ICU', 'batch %d');\n" "$i" "$i"
	done
	echo "COMMIT;"
	echo "UPDATE encounters SET ward = 'CARD' WHERE note LIKE 'batch 1%';"
	echo "DELETE FROM encounters WHERE note LIKE 'autocommit 3%';"
	echo "PRAGMA integrity_check;"
	echo "SELECT count(*) FROM encounters;"
} | sqlite3 "$DB"
