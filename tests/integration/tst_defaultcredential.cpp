// DefaultAzureCredential for real: EnvironmentCredential's client secret against azid-sandbox,
// managed identity against azid-msi-emulator, IMDS's probe giving up when nothing answers, and
// stand-in az, pwsh and azd scripts first on the chain's PATH. What the chain tried, and in which
// order, is read from the sandbox's and the emulator's request logs and from the marker lines the
// stand-ins append each time they run; no test looks at a clock.
#include "azid/defaultazurecredential.h"

#include "logcapture.h"
#include "msiemulator.h"
#include "oauth.h"
#include "sandbox.h"
#include "testseams.h"
#include "testwait.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using azid::test::await;

namespace {

const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Vault = QStringLiteral("https://vault.azure.net/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");
const QString AzToken = QStringLiteral("standin-dac-az-token-41c9");
const QString PwshToken = QStringLiteral("standin-dac-pwsh-token-7d20");
const QString AzdToken = QStringLiteral("standin-dac-azd-token-e813");
constexpr qint64 Expiry2030 = 1893456000;
const QString Expired = QStringLiteral(
    "ERROR: AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by "
    "conditional access. Please run 'az login' to set up an account.");

TokenRequestOptions req(QStringList scopes)
{
    TokenRequestOptions options;
    options.scopes = std::move(scopes);
    return options;
}

QString describe(const TokenResult &result)
{
    return result.ok() ? QStringLiteral("a token") : result.error().toString();
}

QJsonObject claimsOf(const TokenResult &result)
{
    return detail::decodeJwtPayload(result.value().token.reveal()).value_or(QJsonObject());
}

// The "\t<Name>: " lines of an aggregated error, names only, in order.
QStringList attemptedNames(const QString &message)
{
    QStringList names;
    for (const QString &line : message.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1Char('\t')))
            names << line.mid(1).section(QLatin1Char(':'), 0, 0);
    }
    return names;
}

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

// IMDS at `base` for the credentials made while the seams live (unlike
// AZURE_POD_IDENTITY_AUTHORITY_HOST, it keeps the probe).
detail::TestSeams imdsAt(const QString &base)
{
    detail::TestSeams seams = detail::testSeams();
    seams.imdsEndpoint = base;
    return seams;
}

// An IMDS address where nothing answers.
detail::TestSeams imdsNowhere()
{
    return imdsAt(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
}

} // namespace

class TestDefaultCredential : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::MsiEmulator m_emulator;
    std::unique_ptr<detail::ScopedTestSeams> m_imds;
    QTemporaryDir m_dir;
    QString m_bin; // the stand-ins: the chain's whole PATH
    QStringList m_secretsSeen;

    // A stand-in `name` that appends a line to its marker file each time it runs, then does `body`.
    void writeTool(const QString &name, const QString &body)
    {
        const QString script =
            QStringLiteral("#!/bin/bash\necho ran >> '%1.runs'\n").arg(m_dir.filePath(name)) + body +
            QLatin1Char('\n');
        QFile tool(m_bin + QLatin1Char('/') + name);
        QVERIFY(tool.open(QIODevice::WriteOnly | QIODevice::Truncate));
        tool.write(script.toUtf8());
        tool.close();
        QVERIFY(tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    void azSucceeds()
    {
        writeTool(
            QStringLiteral("az"),
            QStringLiteral("echo '{\"accessToken\": \"%1\", \"expires_on\": %2, \"tokenType\": \"Bearer\"}'")
                .arg(AzToken)
                .arg(Expiry2030));
    }
    void azFails(const QString &stderrText)
    {
        writeTool(QStringLiteral("az"), QStringLiteral("echo \"%1\" >&2\nexit 1").arg(stderrText));
    }
    int runs(const QString &name) const
    {
        QFile marker(m_dir.filePath(name) + QStringLiteral(".runs"));
        if (!marker.open(QIODevice::ReadOnly))
            return 0;
        return int(marker.readAll().count('\n'));
    }

    // Only what a test puts there: no AZURE_* of the machine running the tests, no real tools.
    QProcessEnvironment environment(const QStringList &assignments = {}) const
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), m_bin);
        for (const QString &assignment : assignments)
            env.insert(assignment.section(QLatin1Char('='), 0, 0), assignment.section(QLatin1Char('='), 1));
        return env;
    }
    QStringList clientSecretVariables(const QString &secret = DaemonSecret) const
    {
        return {QStringLiteral("AZURE_TENANT_ID=") + Contoso, QStringLiteral("AZURE_CLIENT_ID=") + Daemon,
                QStringLiteral("AZURE_CLIENT_SECRET=") + secret};
    }

    DefaultAzureCredentialOptions options(const QStringList &assignments) const
    {
        DefaultAzureCredentialOptions o;
        o.environment = environment(assignments);
        o.authority = m_sandbox.authority();
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_sandbox.caFile();
        o.http.retryBaseDelay = std::chrono::milliseconds(1);
        o.http.maxRetryDelay = std::chrono::milliseconds(50);
        return o;
    }

    TokenResult token(TokenCredential &credential, const QStringList &scopes)
    {
        TokenResult result = await(credential.getTokenInfo(req(scopes)));
        if (result.ok())
            m_secretsSeen << result.value().token.revealString();
        return result;
    }

    int tokenRequests() { return m_sandbox.countRequests(QStringLiteral("token")); }
    int imdsRequests() { return int(m_emulator.requests(QStringLiteral("imds")).size()); }

    static QString successful(const DefaultAzureCredential &credential)
    {
        return credential.successfulCredential() ? credential.successfulCredential()->name() : QString();
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY(m_dir.isValid());
        m_bin = m_dir.filePath(QStringLiteral("bin"));
        QVERIFY(QDir().mkpath(m_bin));
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        QVERIFY2(m_emulator.start(), qPrintable(m_emulator.errorString()));
        m_secretsSeen << DaemonSecret;
        // Managed identity asks the emulator's IMDS unless a test says otherwise.
        m_imds = std::make_unique<detail::ScopedTestSeams>(imdsAt(m_emulator.url().toString()));
    }

    void init()
    {
        m_sandbox.clearRequests();
        m_emulator.reset();
        for (const QString &entry : QDir(m_bin).entryList(QDir::Files))
            QFile::remove(m_bin + QLatin1Char('/') + entry);
        for (const QString &entry : QDir(m_dir.path()).entryList(QDir::Files))
            QFile::remove(m_dir.filePath(entry));
    }

    void cleanupTestCase()
    {
        m_imds.reset();
        for (const QString &secret : std::as_const(m_secretsSeen)) {
            const QStringList leaks = test::LogCapture::find(secret);
            QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        }
    }

    // 1. EnvironmentCredential: a client secret, before managed identity and the CLI are asked.
    void environmentComesFirst()
    {
        azSucceeds();
        DefaultAzureCredential credential(options(clientSecretVariables()));
        const TokenResult result = token(credential, {Arm});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result).value(QStringLiteral("appid")).toString(), Daemon);
        QCOMPARE(claimsOf(result).value(QStringLiteral("tid")).toString(), Contoso);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 1);
        QCOMPARE(imdsRequests(), 0);
        QCOMPARE(runs(QStringLiteral("az")), 0);
        QCOMPARE(successful(credential), QStringLiteral("EnvironmentCredential"));

        // Remembered: another resource goes to the sandbox again, nothing else is asked.
        QVERIFY(token(credential, {Vault}).ok());
        QCOMPARE(tokenRequests(), 2);
        QCOMPARE(imdsRequests(), 0);
        QCOMPARE(runs(QStringLiteral("az")), 0);
    }

    // A configured environment that the authority refuses ends the chain there.
    void wrongSecretStopsTheChain()
    {
        azSucceeds();
        DefaultAzureCredential credential(options(clientSecretVariables(QStringLiteral("not-the-secret"))));
        const TokenResult result = token(credential, {Arm});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        const QString message = result.error().message;
        QVERIFY2(message.startsWith(QStringLiteral(
                     "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                     "Attempted credentials:\n\tEnvironmentCredential: ")),
                 qPrintable(message));
        QCOMPARE(attemptedNames(message), QStringList{QStringLiteral("EnvironmentCredential")});
        QCOMPARE(tokenRequests(), 1);
        QCOMPARE(imdsRequests(), 0);
        QCOMPARE(runs(QStringLiteral("az")), 0);
        QVERIFY(!credential.successfulCredential());
        QVERIFY(!message.contains(QStringLiteral("not-the-secret")));
    }

    // 2. Managed identity (IMDS on the emulator): the probe, then the request with AZURE_CLIENT_ID
    // as the user-assigned identity; the CLI is never run.
    void managedIdentityFromTheEmulator()
    {
        azSucceeds();
        const QString userAssigned = m_emulator.settings()
                                         .value(QStringLiteral("user_assigned"))
                                         .toArray()
                                         .first()
                                         .toObject()
                                         .value(QStringLiteral("client_id"))
                                         .toString();
        QVERIFY(!userAssigned.isEmpty());
        DefaultAzureCredential credential(options({QStringLiteral("AZURE_CLIENT_ID=") + userAssigned}));
        const TokenResult result = token(credential, {Vault});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(successful(credential), QStringLiteral("ManagedIdentityCredential"));

        const QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0].toObject().value(QStringLiteral("metadata")).toBool(), false); // the probe
        QCOMPARE(log[1].toObject().value(QStringLiteral("metadata")).toBool(), true);
        QCOMPARE(
            log[1].toObject().value(QStringLiteral("identity")).toObject().value(QStringLiteral("client_id")),
            QJsonValue(userAssigned));
        QCOMPARE(tokenRequests(), 0);
        QCOMPARE(runs(QStringLiteral("az")), 0);

        QVERIFY(token(credential, {Arm}).ok());
        QCOMPARE(imdsRequests(), 3); // no second probe
        QCOMPARE(runs(QStringLiteral("az")), 0);
    }

    // managed_identity_client_id given as empty: the system-assigned identity despite AZURE_CLIENT_ID.
    void systemAssignedWhenAsked()
    {
        DefaultAzureCredentialOptions o = options({QStringLiteral("AZURE_CLIENT_ID=") + Daemon});
        o.managedIdentityClientId = QString();
        DefaultAzureCredential credential(o);
        QVERIFY2(token(credential, {Vault}).ok(), "system-assigned identity");
        const QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 2);
        QVERIFY(log[1].toObject().value(QStringLiteral("identity")).toObject().isEmpty());
    }

    // 3. Nothing answers at the IMDS address: the probe gives up at once and the chain goes on to
    // the CLI, which is then the only credential asked.
    void probeGivesUpThenTheCli_data()
    {
        QTest::addColumn<bool>("listening");
        QTest::newRow("nobody listening") << false;
        QTest::newRow("accepts, never answers") << true;
    }
    void probeGivesUpThenTheCli()
    {
        QFETCH(bool, listening);
        if (listening) {
            QVERIFY(m_emulator.fault(
                {{QStringLiteral("source"), QStringLiteral("imds")}, {QStringLiteral("delay_ms"), 5000}}));
        }
        azSucceeds();
        const detail::ScopedTestSeams seams(listening ? detail::testSeams() : imdsNowhere());
        DefaultAzureCredential credential(options({}));
        const TokenResult result = token(credential, {Arm});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().token.revealString(), AzToken);
        QCOMPARE(result.value().expiresOn, Expiry2030);
        QCOMPARE(successful(credential), QStringLiteral("AzureCliCredential"));
        QCOMPARE(runs(QStringLiteral("az")), 1);
        QCOMPARE(imdsRequests(), listening ? 1 : 0); // the probe alone, no retries
        QCOMPARE(tokenRequests(), 0);

        // Remembered: the CLI alone from now on; managed identity is not probed again.
        m_emulator.control("DELETE", QStringLiteral("faults"));
        QVERIFY(token(credential, {Vault}).ok());
        QCOMPARE(runs(QStringLiteral("az")), 2);
        QCOMPARE(imdsRequests(), listening ? 1 : 0);

        // The CLI now fails: its own error, as AzureCliCredential gives it outside the chain (a
        // failure, not unavailability), and no other credential is asked.
        azFails(Expired);
        const TokenResult failure = token(credential, {Arm});
        QVERIFY(!failure.ok());
        QCOMPARE(failure.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(failure.error().message.contains(QStringLiteral("AADSTS70043")),
                 qPrintable(describe(failure)));
        QVERIFY(!failure.error().message.contains(QStringLiteral("DefaultAzureCredential failed")));
        QCOMPARE(runs(QStringLiteral("az")), 3);
        QCOMPARE(imdsRequests(), listening ? 1 : 0);
    }

    // Nothing available: every credential is named, in the chain's order, with what it said.
    void nothingAvailableNamesEveryCredential()
    {
        azFails(QStringLiteral("ERROR: Please run 'az login' to setup account."));
        const detail::ScopedTestSeams seams(imdsNowhere());
        DefaultAzureCredential credential(options({}));
        const TokenResult result = token(credential, {Arm});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        const QString message = result.error().message;
        QCOMPARE(
            attemptedNames(message),
            (QStringList{
                QStringLiteral("EnvironmentCredential"), QStringLiteral("WorkloadIdentityCredential"),
                QStringLiteral("ManagedIdentityCredential"), QStringLiteral("SharedTokenCacheCredential"),
                QStringLiteral("VisualStudioCodeCredential"), QStringLiteral("AzureCliCredential"),
                QStringLiteral("AzurePowerShellCredential"), QStringLiteral("AzureDeveloperCliCredential")}));
        QVERIFY2(message.contains(QStringLiteral("\tManagedIdentityCredential: ")) &&
                     message.contains(QStringLiteral("no response from the IMDS endpoint")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("\tAzureCliCredential: Please run 'az login'")),
                 qPrintable(message));
        QVERIFY(message.endsWith(
            QStringLiteral("To mitigate this issue, please refer to the troubleshooting guidelines here at "
                           "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot.")));
        QCOMPARE(runs(QStringLiteral("az")), 1);
        QVERIFY(!credential.successfulCredential());

        // A failure is not remembered: the whole chain runs again.
        QVERIFY(!token(credential, {Arm}).ok());
        QCOMPARE(runs(QStringLiteral("az")), 2);
    }

    // Within the chain a real failure of the CLI is unavailability: PowerShell is asked next.
    void toolFailureLetsTheChainGoOn()
    {
        azFails(Expired);
        writeTool(QStringLiteral("pwsh"),
                  QStringLiteral("printf '\\nazsdk%%%1%%%2\\n\\n'").arg(PwshToken).arg(Expiry2030));
        const detail::ScopedTestSeams seams(imdsNowhere());
        DefaultAzureCredential credential(options({}));
        const TokenResult result = token(credential, {Arm});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().token.revealString(), PwshToken);
        QCOMPARE(runs(QStringLiteral("az")), 1);
        QCOMPARE(runs(QStringLiteral("pwsh")), 1);
        QCOMPARE(successful(credential), QStringLiteral("AzurePowerShellCredential"));
    }

    // process_timeout reaches the tools: a hanging az is given up on and azd answers.
    void processTimeoutReachesTheTools()
    {
        writeTool(QStringLiteral("az"), QStringLiteral("exec /bin/sleep 30"));
        writeTool(QStringLiteral("azd"),
                  QStringLiteral("echo '{\"token\": \"%1\", \"expiresOn\": \"2030-01-01T00:00:00Z\"}'")
                      .arg(AzdToken));
        const detail::ScopedTestSeams seams(imdsNowhere());
        DefaultAzureCredentialOptions o = options({});
        o.processTimeout = std::chrono::milliseconds(1000);
        o.excludePowerShellCredential = true;
        DefaultAzureCredential credential(o);
        const TokenResult result = token(credential, {Arm});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().token.revealString(), AzdToken);
        QCOMPARE(runs(QStringLiteral("az")), 1);
        QCOMPARE(runs(QStringLiteral("azd")), 1);
        QCOMPARE(successful(credential), QStringLiteral("AzureDeveloperCliCredential"));
    }

    // AZURE_TOKEN_CREDENTIALS names one credential: only that one, even with a configured environment.
    void tokenCredentialsSelectsTheCli()
    {
        azSucceeds();
        DefaultAzureCredential credential(
            options(clientSecretVariables() +
                    QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=AzureCliCredential")}));
        QCOMPARE(credential.credentialNames(), QStringList{QStringLiteral("AzureCliCredential")});
        const TokenResult result = token(credential, {Arm});
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().token.revealString(), AzToken);
        QCOMPARE(tokenRequests(), 0);
        QCOMPARE(imdsRequests(), 0);
    }

    // "prod" skips the developer tools; managed identity named alone is not probed.
    void tokenCredentialsProdAndManagedIdentity()
    {
        azSucceeds();
        {
            const detail::ScopedTestSeams seams(imdsNowhere());
            DefaultAzureCredential prod(options({QStringLiteral("AZURE_TOKEN_CREDENTIALS=prod")}));
            const TokenResult result = token(prod, {Arm});
            QVERIFY(!result.ok());
            QCOMPARE(attemptedNames(result.error().message),
                     (QStringList{QStringLiteral("EnvironmentCredential"),
                                  QStringLiteral("WorkloadIdentityCredential"),
                                  QStringLiteral("ManagedIdentityCredential")}));
            QCOMPARE(runs(QStringLiteral("az")), 0);
        }
        DefaultAzureCredential alone(
            options({QStringLiteral("AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential")}));
        QVERIFY(token(alone, {Vault}).ok());
        const QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 1);
        QCOMPARE(log[0].toObject().value(QStringLiteral("metadata")).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestDefaultCredential)
#include "tst_defaultcredential.moc"
