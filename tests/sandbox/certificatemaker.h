#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <optional>

namespace azid::sandbox {

struct TlsMaterial
{
    QList<QSslCertificate> chain; // server certificate first
    QSslKey key;
    QString trustAnchorPath; // what clients should trust: ca.pem, or the given certificate file
};

// Produces the sandbox's TLS identity: a throwaway test CA plus a server certificate for
// localhost/127.0.0.1 signed by it, so clients can trust one small file instead of disabling checks.
class CertificateMaker
{
public:
    // Reuses ca.pem/server.pem/server.key in stateDir while they stay valid, otherwise writes new ones.
    // With a host name, always new ones, for that name only (not localhost or 127.0.0.1): a test of
    // clients facing a trusted certificate for another host.
    static std::optional<TlsMaterial> prepare(const QString &stateDir, QString *error,
                                              const QString &hostName = {});
    static std::optional<TlsMaterial> loadFiles(const QString &certPath, const QString &keyPath,
                                                QString *error);

private:
    static std::optional<TlsMaterial> create(const QString &stateDir, QString *error,
                                             const QString &hostName);
};

} // namespace azid::sandbox
