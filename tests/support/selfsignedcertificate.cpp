#include "selfsignedcertificate.h"

#include <QDir>
#include <QFile>
#include <QProcess>

namespace azid::test {

namespace {
QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

SelfSignedCertificate SelfSignedCertificate::make(const QString &folder, const QString &name)
{
    const QDir dir(folder);
    const QString keyFile = dir.filePath(name + QStringLiteral(".key"));
    const QString certificateFile = dir.filePath(name + QStringLiteral(".crt"));
    const QStringList arguments{QStringLiteral("req"),
                                QStringLiteral("-x509"),
                                QStringLiteral("-newkey"),
                                QStringLiteral("rsa:2048"),
                                QStringLiteral("-nodes"),
                                QStringLiteral("-keyout"),
                                keyFile,
                                QStringLiteral("-out"),
                                certificateFile,
                                QStringLiteral("-subj"),
                                QStringLiteral("/CN=") + name,
                                QStringLiteral("-days"),
                                QStringLiteral("2")};
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), arguments);
    if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit ||
        openssl.exitCode() != 0)
        return {};
    const QByteArray certificate = contentsOf(certificateFile);
    const QByteArray key = contentsOf(keyFile);
    if (certificate.isEmpty() || key.isEmpty())
        return {};
    return {certificate, key + certificate};
}

} // namespace azid::test
