# Sourced by benign-apt-*.sh: apt-get as an operator runs it, with its
# cache under MG_DEB_DIR (the guest's /var/cache is read-only).
DEBS=${MG_DEB_DIR:?MG_DEB_DIR: where the packages are built}
mkdir -p "$DEBS/cache/archives/partial"
apt_get() {
	apt-get -y -q -o Dir::Cache="$DEBS/cache" -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
}
