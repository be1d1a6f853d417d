#pragma once

#include <QByteArray>
#include <QString>

// Small encoding and randomness helpers shared by the sandbox's handlers.
namespace azid::sandbox::encoding {

// RFC 4648 §5 alphabet without padding, the form JWTs, PKCE and client_info use.
QByteArray base64Url(const QByteArray &data);
QByteArray base64UrlDecode(const QByteArray &text);

QByteArray sha256(const QByteArray &data);

// Opaque values handed to clients (codes, refresh tokens) come from the system CSPRNG.
QByteArray randomBytes(int count);
QString randomToken(int byteCount);
// Upper-case letters and digits, leaving out look-alikes (0/O, 1/I) because people type user codes.
QString randomUserCode(int length);

QString newGuid();
// A GUID derived from a seed so that ids (service principal oids, default user oids) stay stable
// across restarts without being stored.
QString stableGuid(const QByteArray &seed);

qint64 nowMs();
qint64 nowSecs();
// Entra's error-body timestamp format, e.g. "2024-03-26 21:48:02Z".
QString entraTimestamp();

} // namespace azid::sandbox::encoding
