#pragma once

#include "directory.h"
#include "opensslptr.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace azid::sandbox {

// App registrations made at runtime (POST /_sandbox/apps) and the certificate facts that client
// assertions are checked against.
namespace appregistration {

// {"client_id": ID, "name": N, "secret": S, "certificate": PEM | "certificates": [PEM, ...],
//  "public": false}: a confidential app needs a secret, a certificate, or both.
std::optional<App> fromJson(const QJsonObject &body, QString *error);
QJsonObject toJson(const App &app);

// Every CERTIFICATE block of a PEM text as DER; empty (with *error) when one does not parse.
QList<QByteArray> certificatesFromPem(const QByteArray &pem, QString *error);
// base64url without padding of the SHA-1 (x5t) and SHA-256 (x5t#S256) of a DER certificate.
QByteArray x5t(const QByteArray &der);
QByteArray x5tS256(const QByteArray &der);
EvpPkeyPtr publicKey(const QByteArray &der);

} // namespace appregistration

} // namespace azid::sandbox
