# Sourced by benign-apt-*.sh: apt-get as an operator runs it, with its
# cache under MG_DEB_DIR (the guest's /var/cache is read-only).
DEBS=${MG_DEB_DIR:?MG_DEB_DIR: where the packages are built}
mkdir -p "$DEBS/cache/archives/partial"

# apt_install_medforms VERSION DIR: builds medforms VERSION for DIR, installs
# it with apt-get and prints the installed version.
apt_install_medforms() {
	# (through its #! line: signed, it stays in the trusted lineage)
	"$(dirname "${BASH_SOURCE[0]}")/medforms-deb.sh" "$1" "$2" "$DEBS"
	apt-get -y -q -o Dir::Cache="$DEBS/cache" -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 \
		install "$DEBS/medforms_$1_all.deb"
	dpkg-query -W -f '${Version}\n' medforms
}
