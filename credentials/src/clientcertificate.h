#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace azid::detail {

// A client certificate with its private key, as CertificateCredential and OnBehalfOfCredential use
// it: loaded from PEM or PKCS#12 with OpenSSL 3, RSA keys only (client assertions are RS256).
class ClientCertificate
{
public:
    ~ClientCertificate();
    ClientCertificate(const ClientCertificate &) = delete;
    ClientCertificate &operator=(const ClientCertificate &) = delete;

    // PEM when the bytes contain "-----BEGIN", else PKCS#12. The password may be empty.
    static Result<std::shared_ptr<const ClientCertificate>> load(const Secret &data, const Secret &password);
    static Result<std::shared_ptr<const ClientCertificate>> loadFile(const QString &path,
                                                                     const Secret &password);

    // SHA-1 of the leaf certificate's DER (what "thumbprint" means in Entra), raw bytes.
    QByteArray thumbprintSha1() const;
    // base64url (no padding) of that thumbprint: the JWT header's x5t.
    QString x5t() const;
    // The chain as standard base64 DER, the certificate of the private key first: the header's x5c.
    QStringList x5c() const;

    // The JWT header and claims of a client assertion for `audience` (the token endpoint URL) issued at
    // `now`: RS256, x5t (and x5c with includeChain); aud, iss = sub = clientId, jti, iat, nbf, exp.
    QJsonObject assertionHeader(bool includeChain) const;
    static QJsonObject assertionClaims(const QString &clientId, const QString &audience, qint64 now);
    // The signed assertion (compact JWS).
    Result<Secret> createAssertion(const QString &clientId, const QString &audience, qint64 now,
                                   bool includeChain) const;
    // Signs header.payload with the private key (RS256).
    Result<Secret> sign(const QJsonObject &header, const QJsonObject &claims) const;

    static constexpr qint64 AssertionLifetime = 600; // seconds, as MSAL

private:
    struct Private;
    explicit ClientCertificate(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace azid::detail
