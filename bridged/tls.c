/*
 * tls.c - bridged's TLS: TLS 1.3 only, our certificate and key, the
 * configured CA for the peer's chain, a certificate demanded from both
 * sides, and the peer's name checked against the config.
 */
#include "bridge.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static void tls_error(char *error, size_t error_size, const char *what, const char *path)
{
	unsigned long code = ERR_get_error();
	char reason[256] = "";
	if (code)
		ERR_error_string_n(code, reason, sizeof(reason));
	snprintf(error, error_size, "%s %s%s%s", what, path, code ? ": " : "", reason);
	ERR_clear_error();
}

SSL_CTX *tls_context_new(const struct config *config, char *error, size_t error_size)
{
	SSL_CTX *tls = SSL_CTX_new(TLS_method());
	if (!tls) {
		tls_error(error, error_size, "cannot make a TLS context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(tls, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(tls, TLS1_3_VERSION);
	/* No tickets or resumption: every connection proves its certificate. */
	SSL_CTX_set_options(tls, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(tls, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(tls, 0);
	if (SSL_CTX_use_certificate_chain_file(tls, config->certificate) != 1) {
		tls_error(error, error_size, "cannot read the certificate", config->certificate);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(tls, config->key, SSL_FILETYPE_PEM) != 1) {
		tls_error(error, error_size, "cannot read the key", config->key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(tls) != 1) {
		tls_error(error, error_size, "the key does not match the certificate",
		          config->certificate);
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(tls, config->ca, NULL) != 1) {
		tls_error(error, error_size, "cannot read the CA", config->ca);
		goto fail;
	}
	/* Our own certificate must name us and chain to the CA: a config
	 * mistake found at start, not by the peers. */
	X509 *own = SSL_CTX_get0_certificate(tls);
	if (X509_check_host(own, config->name, 0, 0, NULL) != 1) {
		snprintf(error, error_size, "the certificate %s does not name this node (%s)",
		         config->certificate, config->name);
		goto fail;
	}
	X509_STORE_CTX *check = X509_STORE_CTX_new();
	int chained = check &&
	              X509_STORE_CTX_init(check, SSL_CTX_get_cert_store(tls), own, NULL) == 1 &&
	              X509_verify_cert(check) == 1;
	X509_STORE_CTX_free(check);
	if (!chained) {
		snprintf(error, error_size, "the certificate %s is not signed by the CA %s",
		         config->certificate, config->ca);
		goto fail;
	}
	SSL_CTX_set_verify(tls, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(tls, 4);
	return tls;
fail:
	SSL_CTX_free(tls);
	return NULL;
}

const struct config_peer *tls_identify_peer(const struct config *config, SSL *ssl)
{
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		return NULL;
	X509 *certificate = SSL_get0_peer_certificate(ssl);
	if (!certificate)
		return NULL;
	for (size_t i = 0; i < config->peer_count; i++) {
		const struct config_peer *peer = &config->peers[i];
		if (X509_check_host(certificate, peer->name, 0,
		                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1)
			return peer;
	}
	return NULL;
}
