#pragma once

#include "opensslptr.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace azid::sandbox {

// Signs JWTs with an RSA-2048 key made at start-up and publishes it as a JWKS, so tokens look and
// verify like Entra's (RS256 with a kid), even though most clients never check the signature.
class JwtSigner
{
public:
    JwtSigner();

    bool isValid() const { return m_key != nullptr; }
    QByteArray sign(const QJsonObject &payload) const;
    // Whether `jwt` is an RS256 JWT signed with this key; its payload when it is.
    std::optional<QJsonObject> verify(const QByteArray &jwt) const;
    QJsonObject jwks() const;

private:
    EvpPkeyPtr m_key;
    QByteArray m_modulus;  // base64url
    QByteArray m_exponent; // base64url
    QString m_keyId;
};

} // namespace azid::sandbox
