#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's gnupg workload: gpg --symmetric on the tarball, uncompressed,
# in batch mode; the result, decrypted, must be the tarball.
. "$(dirname "$0")/../lib.sh"
mkdir -m 700 "$wl_tmp/home"
echo "correct horse battery staple" >"$wl_tmp/pass"
gpg=(gpg --homedir "$wl_tmp/home" --no-options --batch --yes --quiet
	--pinentry-mode loopback --passphrase-file "$wl_tmp/pass")
timeout -k 1 10 "${gpg[@]}" --compress-algo none --symmetric \
	-o "$wl_tmp/src.tar.gpg" "$CORPUS_DATA/src.tar" || wl_fail "encryption failed"
timeout -k 1 10 "${gpg[@]}" -o "$wl_tmp/back.tar" --decrypt "$wl_tmp/src.tar.gpg" ||
	wl_fail "decryption failed"
cmp -s "$wl_tmp/back.tar" "$CORPUS_DATA/src.tar" || wl_fail "the round trip changed the tarball"
# gpg-agent, started for the passphrase cache, goes with the home.
gpgconf --homedir "$wl_tmp/home" --kill gpg-agent 2>/dev/null
exit 0
