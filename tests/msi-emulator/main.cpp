// azid-msi-emulator: the managed identity endpoints of Azure's hosting environments (IMDS, App
// Service, Azure Arc, Cloud Shell, Service Fabric, Azure ML) and Azure Pipelines' OIDC endpoint, on
// 127.0.0.1, for Azid's integration tests. See README.md next to this file.

#include "certificatemaker.h"
#include "httpserver.h"
#include "msiemulator.h"
#include "plainhttpserver.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QHostAddress>
#include <QSslSocket>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;
using namespace azid;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "azid-msi-emulator: %s\n", message.toLocal8Bit().constData());
    return 2;
}

const char *description = R"(Managed identity endpoints of Azure's hosting environments, for testing Azid.

Plain HTTP on 127.0.0.1 (IMDS, App Service, Azure Arc, Cloud Shell, Azure ML, Pipelines OIDC)
and HTTPS on a second port (Service Fabric, Pipelines OIDC) with a certificate made at start, plus
a /_emulator/ control API (faults, settings, request log) on both.

When ready it prints to stdout:
  AZID_MSI_URL=http://127.0.0.1:PORT
  AZID_MSI_TLS_URL=https://127.0.0.1:PORT
  AZID_MSI_CA=<CA certificate of the HTTPS port>
  AZID_MSI_TLS_THUMBPRINT=<SHA-1 of the HTTPS port's server certificate>
  AZID_MSI_ARC_KEY_DIR=<where Azure Arc's key files are written>
  AZID_MSI_READY)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"azid-msi-emulator"_s);
#ifdef AZID_VERSION
    QCoreApplication::setApplicationVersion(QStringLiteral(AZID_VERSION));
#endif
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(description));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption portOption(u"port"_s, u"HTTP port on 127.0.0.1 (default 0: any free port)."_s,
                                        u"N"_s, u"0"_s);
    const QCommandLineOption tlsPortOption(
        u"tls-port"_s, u"HTTPS port on 127.0.0.1 (default 0: any free port)."_s, u"N"_s, u"0"_s);
    const QCommandLineOption stateDirOption(
        u"state-dir"_s, u"Where the TLS files and Arc key files go (default: a temporary directory)."_s,
        u"DIR"_s);
    const QCommandLineOption arcDirOption(
        u"arc-key-dir"_s, u"Where Azure Arc's key files are written (default: STATE/arc-tokens)."_s,
        u"DIR"_s);
    const QCommandLineOption quietOption(u"quiet"_s, u"Do not log requests to stderr."_s);
    parser.addOptions({portOption, tlsPortOption, stateDirOption, arcDirOption, quietOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument %1 (see --help)"_s.arg(parser.positionalArguments().first()));
    bool portOk = false;
    bool tlsPortOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    const uint tlsPort = parser.value(tlsPortOption).toUInt(&tlsPortOk);
    if (!portOk || !tlsPortOk || port > 65535 || tlsPort > 65535)
        return fail(u"--port and --tls-port take a number from 0 to 65535"_s);
    if (!QSslSocket::supportsSsl())
        return fail(u"Qt has no usable TLS backend (is the OpenSSL plugin installed?)"_s);

    std::unique_ptr<QTemporaryDir> temporaryStateDir;
    QString stateDir = parser.value(stateDirOption);
    if (stateDir.isEmpty()) {
        temporaryStateDir =
            std::make_unique<QTemporaryDir>(QDir::temp().filePath(u"azid-msi-emulator-XXXXXX"_s));
        if (!temporaryStateDir->isValid())
            return fail(u"cannot create a temporary directory: %1"_s.arg(temporaryStateDir->errorString()));
        stateDir = temporaryStateDir->path();
    } else if (!QDir().mkpath(stateDir)) {
        return fail(u"cannot create state directory %1"_s.arg(stateDir));
    }
    QString arcDir = parser.value(arcDirOption);
    if (arcDir.isEmpty())
        arcDir = QDir(stateDir).absoluteFilePath(u"arc-tokens"_s);
    if (!QDir().mkpath(arcDir))
        return fail(u"cannot create the Arc key directory %1"_s.arg(arcDir));
    arcDir = QDir(arcDir).canonicalPath();

    QString error;
    const std::optional<sandbox::TlsMaterial> tls = sandbox::CertificateMaker::prepare(stateDir, &error);
    if (!tls)
        return fail(error);
    QSslConfiguration tlsConfiguration = QSslConfiguration::defaultConfiguration();
    tlsConfiguration.setLocalCertificateChain(tls->chain);
    tlsConfiguration.setPrivateKey(tls->key);
    tlsConfiguration.setPeerVerifyMode(QSslSocket::VerifyNone);
    tlsConfiguration.setProtocol(QSsl::TlsV1_2OrLater);

    msiemulator::MsiEmulator emulator(arcDir, parser.isSet(quietOption));
    auto logger = [&emulator](int status, const QByteArray &reason) {
        emulator.logProtocolError(status, reason);
    };
    msiemulator::PlainHttpServer plain(
        [&emulator](const sandbox::HttpRequest &request) { return emulator.handle(request, false); }, logger);
    if (!plain.listen(QHostAddress::LocalHost, static_cast<quint16>(port)))
        return fail(u"cannot listen on 127.0.0.1:%1: %2"_s.arg(port).arg(plain.errorString()));
    sandbox::HttpServer secure(
        tlsConfiguration,
        [&emulator](const sandbox::HttpRequest &request) { return emulator.handle(request, true); }, logger);
    if (!secure.listen(static_cast<quint16>(tlsPort), &error))
        return fail(u"cannot listen on 127.0.0.1:%1: %2"_s.arg(tlsPort).arg(error));

    sandbox::SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &sandbox::SignalWatcher::terminationRequested, &app,
                     &QCoreApplication::quit);

    const QByteArray thumbprint =
        QCryptographicHash::hash(tls->chain.first().toDer(), QCryptographicHash::Sha1).toHex().toUpper();
    std::printf("AZID_MSI_URL=http://127.0.0.1:%u\n", unsigned(plain.serverPort()));
    std::printf("AZID_MSI_TLS_URL=https://127.0.0.1:%u\n", unsigned(secure.port()));
    std::printf("AZID_MSI_CA=%s\n", QDir::toNativeSeparators(tls->trustAnchorPath).toLocal8Bit().constData());
    std::printf("AZID_MSI_TLS_THUMBPRINT=%s\n", thumbprint.constData());
    std::printf("AZID_MSI_ARC_KEY_DIR=%s\n", QDir::toNativeSeparators(arcDir).toLocal8Bit().constData());
    std::printf("AZID_MSI_READY\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}
