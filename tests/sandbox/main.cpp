// azid-sandbox: a local, Microsoft-Entra-compatible authority over TLS on 127.0.0.1 for Azid's
// integration tests and for trying Azid without a tenant. See README.md next to this file.

#include "certificatemaker.h"
#include "directory.h"
#include "httpserver.h"
#include "sandbox.h"
#include "settings.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSslSocket>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace azid::sandbox;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "azid-sandbox: %s\n", message.toLocal8Bit().constData());
    return 2;
}

std::optional<int> parseSeconds(const QCommandLineParser &parser, const QCommandLineOption &option,
                                int minimum, int fallback)
{
    if (!parser.isSet(option))
        return fallback;
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < minimum)
        return std::nullopt;
    return value;
}

const char *description = R"(A local Microsoft-Entra-compatible authority for testing Azid.

Serves the Entra v2 endpoints (OpenID configuration, instance discovery, user realm,
authorize with sign-in and consent pages, device code, token) and a /_sandbox/ control
API over TLS on 127.0.0.1. Unless --tls-cert/--tls-key are given it creates a test CA
(ca.pem) and a server certificate in the state directory.

When ready it prints to stdout:
  AZID_SANDBOX_URL=https://127.0.0.1:PORT
  AZID_SANDBOX_CA=<path of the CA certificate to trust>
  AZID_SANDBOX_READY

Built-in users: alice@contoso.test / alice-password-1, bob@contoso.test / bob-password-1,
mfa@contoso.test / mfa-password-1, and more; see README.md or --config.)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"azid-sandbox"_s);
#ifdef AZID_VERSION
    QCoreApplication::setApplicationVersion(QStringLiteral(AZID_VERSION));
#endif

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(description));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption portOption(u"port"_s, u"TCP port on 127.0.0.1 (default 0: any free port)."_s,
                                        u"N"_s, u"0"_s);
    const QCommandLineOption stateDirOption(u"state-dir"_s,
                                            u"Where ca.pem, server.pem and server.key live (default: a fresh "
                                            u"temporary directory, removed on exit)."_s,
                                            u"DIR"_s);
    const QCommandLineOption certOption(u"tls-cert"_s, u"Serve this PEM certificate (chain) instead."_s,
                                        u"PEM"_s);
    const QCommandLineOption keyOption(u"tls-key"_s, u"Unencrypted PEM private key for --tls-cert."_s,
                                       u"PEM"_s);
    const QCommandLineOption tlsNameOption(
        u"tls-name"_s, u"Issue the server certificate for this host name only (a wrong-host test)."_s,
        u"HOST"_s);
    const QCommandLineOption configOption(
        u"config"_s, u"Directory of tenants, users and apps (JSON, see README)."_s, u"users.json"_s);
    const QCommandLineOption autoApproveOption(
        u"auto-approve"_s, u"Authorize redirects at once with a code for login_hint (or the first user)."_s);
    const QCommandLineOption lifetimeOption(u"access-token-lifetime"_s,
                                            u"Access token expires_in (default 3600)."_s, u"SEC"_s);
    const QCommandLineOption refreshInOption(
        u"refresh-in"_s, u"Add refresh_in to token responses (default 0: omitted)."_s, u"SEC"_s);
    const QCommandLineOption intervalOption(u"device-interval"_s,
                                            u"Device code polling interval (default 5)."_s, u"SEC"_s);
    const QCommandLineOption expiresOption(u"device-expires"_s, u"Device code lifetime (default 900)."_s,
                                           u"SEC"_s);
    const QCommandLineOption codeLifetimeOption(u"code-lifetime"_s,
                                                u"Authorization code lifetime (default 600)."_s, u"SEC"_s);
    const QCommandLineOption quietOption(u"quiet"_s, u"Do not log requests to stderr."_s);
    const QCommandLineOption generateUsersOption(
        u"generate-users"_s,
        u"Add N users to the directory: user1@DOMAIN ... userN@DOMAIN of its first tenant, password "
        u"userK-password-1 (profiles of many accounts)."_s,
        u"N"_s);
    parser.addOptions({portOption, stateDirOption, certOption, keyOption, tlsNameOption, configOption,
                       autoApproveOption, lifetimeOption, refreshInOption, intervalOption, expiresOption,
                       codeLifetimeOption, quietOption, generateUsersOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument %1 (see --help)"_s.arg(parser.positionalArguments().first()));

    Settings settings;
    const Settings defaults;
    const auto lifetime = parseSeconds(parser, lifetimeOption, 1, defaults.accessTokenLifetime);
    const auto refreshIn = parseSeconds(parser, refreshInOption, 0, defaults.refreshIn);
    const auto interval = parseSeconds(parser, intervalOption, 0, defaults.deviceInterval);
    const auto expires = parseSeconds(parser, expiresOption, 1, defaults.deviceExpires);
    const auto codeLifetime = parseSeconds(parser, codeLifetimeOption, 1, defaults.codeLifetime);
    const auto port = parseSeconds(parser, portOption, 0, 0);
    if (!lifetime || !refreshIn || !interval || !expires || !codeLifetime || !port || *port > 65535)
        return fail(u"numeric options need a whole number in range, --port at most 65535 (see --help)"_s);
    settings.accessTokenLifetime = *lifetime;
    settings.refreshIn = *refreshIn;
    settings.deviceInterval = *interval;
    settings.deviceExpires = *expires;
    settings.codeLifetime = *codeLifetime;
    settings.autoApprove = parser.isSet(autoApproveOption);

    std::optional<Directory> directory = Directory::builtIn();
    if (parser.isSet(configOption)) {
        QFile file(parser.value(configOption));
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
        QString error;
        directory = Directory::fromJson(file.readAll(), &error);
        if (!directory)
            return fail(error);
    }

    if (parser.isSet(generateUsersOption)) {
        const auto count = parseSeconds(parser, generateUsersOption, 0, 0);
        if (!count || *count > 100000)
            return fail(u"--generate-users needs a whole number from 0 to 100000"_s);
        directory->addGeneratedUsers(*count);
    }

    if (!QSslSocket::supportsSsl())
        return fail(u"Qt has no usable TLS backend (is the OpenSSL plugin installed?)"_s);

    std::unique_ptr<QTemporaryDir> temporaryStateDir;
    QString stateDir = parser.value(stateDirOption);
    if (stateDir.isEmpty()) {
        temporaryStateDir = std::make_unique<QTemporaryDir>(QDir::temp().filePath(u"azid-sandbox-XXXXXX"_s));
        if (!temporaryStateDir->isValid())
            return fail(u"cannot create a temporary directory: %1"_s.arg(temporaryStateDir->errorString()));
        stateDir = temporaryStateDir->path();
    } else if (!QDir().mkpath(stateDir)) {
        return fail(u"cannot create state directory %1"_s.arg(stateDir));
    }

    QString error;
    std::optional<TlsMaterial> tls;
    if (parser.isSet(certOption) != parser.isSet(keyOption))
        return fail(u"--tls-cert and --tls-key go together"_s);
    if (parser.isSet(certOption))
        tls = CertificateMaker::loadFiles(parser.value(certOption), parser.value(keyOption), &error);
    else
        tls = CertificateMaker::prepare(stateDir, &error, parser.value(tlsNameOption));
    if (!tls)
        return fail(error);

    QSslConfiguration tlsConfiguration = QSslConfiguration::defaultConfiguration();
    tlsConfiguration.setLocalCertificateChain(tls->chain);
    tlsConfiguration.setPrivateKey(tls->key);
    tlsConfiguration.setPeerVerifyMode(QSslSocket::VerifyNone);
    tlsConfiguration.setProtocol(QSsl::TlsV1_2OrLater);

    Sandbox sandbox(std::move(*directory), settings, parser.isSet(quietOption));
    if (!sandbox.isReady())
        return fail(u"could not create the token signing key"_s);
    HttpServer server(
        tlsConfiguration, [&sandbox](const HttpRequest &request) { return sandbox.handle(request); },
        [&sandbox](int status, const QByteArray &reason) { sandbox.logProtocolError(status, reason); });
    if (!server.listen(static_cast<quint16>(*port), &error))
        return fail(u"cannot listen on 127.0.0.1:%1: %2"_s.arg(QString::number(*port), error));
    sandbox.setPort(server.port());

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &app, &QCoreApplication::quit);

    std::printf("AZID_SANDBOX_URL=https://127.0.0.1:%u\n", unsigned(server.port()));
    std::printf("AZID_SANDBOX_CA=%s\n",
                QDir::toNativeSeparators(tls->trustAnchorPath).toLocal8Bit().constData());
    std::printf("AZID_SANDBOX_READY\n");
    std::fflush(stdout);

    return QCoreApplication::exec();
}
