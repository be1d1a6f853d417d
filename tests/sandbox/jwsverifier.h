#pragma once

#include <openssl/evp.h>

#include <QByteArray>
#include <QJsonObject>

#include <optional>

namespace azid::sandbox {

// A compact JWS (a JWT) taken apart: decoded header and payload, and what the signature covers.
struct Jws
{
    QJsonObject header;
    QJsonObject payload;
    QByteArray signingInput; // "header.payload" as sent
    QByteArray signature;

    // Three base64url parts (padding tolerated) whose first two are JSON objects; nullopt otherwise.
    static std::optional<Jws> parse(const QByteArray &compact);
    // Checks the signature with `key` by the header's alg: RS256 (PKCS#1 v1.5) or PS256 (PSS, SHA-256).
    bool verify(EVP_PKEY *key) const;
};

} // namespace azid::sandbox
