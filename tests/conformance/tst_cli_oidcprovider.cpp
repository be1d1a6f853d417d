// Conformance: the azid-cli executable, as a script runs it, against an independent OpenID provider
// (the npm package oidc-provider, provider.mjs, over loopback TLS with its own CA), with the sign-in
// pages completed by real headless Chromium (browser.mjs). Every command is a separate process, and
// the test runs under run-with-keyring.sh, so accounts and token caches go through the real Secret
// Service. What is shown, for the browser flow and for the device-code flow:
//   - `azid-cli login` signs in against the provider and prints its AuthenticationRecord;
//   - `azid-cli token` in a new process gets a token with nothing but the stored account, and once
//     the cached access token looks expired it gets a new one with the refresh token, no browser;
//   - a later `azid-cli token` is served from the cache: no request reaches the token endpoint;
//   - `accounts list` shows both accounts, and removing one leaves the other working.
//
// Why there is no `--flow password` here: oidc-provider implements no resource-owner password
// credentials grant (its grant handlers are authorization_code, client_credentials, refresh_token,
// device_code, ciba and pre_authorized_code; RFC 9700, the OAuth 2.0 Security Best Current
// Practice, says the password grant must not be used). The password flow against an authority other
// than Microsoft's (given by --authority, --ca-bundle and --disable-instance-discovery) is covered
// by tests/cli (tst_cli) against azid-sandbox.
//
// How a cached access token is made to look expired without a clock hook in azid-cli and without
// waiting: the provider's access-token lifetime is changed at run time (provider.mjs's control
// channel on stdin). Sign-ins happen while tokens live ShortTtl seconds, less than the five minutes
// before expiry at which Azid (like azure.identity) stops using a cached token, so the next
// `azid-cli token` must refresh. Then tokens live LongTtl seconds, and the one after is cached.
// Which requests reached the provider is read from its per-endpoint counters, not from timing.
//
// Needs node, chromium and the npm packages of this folder; fails (never skips) without them.
#include "oidcproviderprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

namespace {
const QString Cli = QStringLiteral(AZID_CLI_PATH);
const QString ClientId = QStringLiteral("azid-conformance");
const QString Tenant = QStringLiteral("azid");
const QString ReadScope = QStringLiteral("api://azid-conformance/read");
const QString Profile = QStringLiteral("conformance");
const QString Alice = QStringLiteral("alice@azid-conformance.test"); // the browser flow
const QString Bob = QStringLiteral("bob@azid-conformance.test");     // the device-code flow
constexpr int ShortTtl = 60;        // under Azid's 300 s margin: a cached token of this life is not used
constexpr int LongTtl = 3600;       // well over it: cached tokens are used
constexpr int FlowLimitMs = 180000; // keeps a broken run from hanging; nothing asserts on time

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject object() const { return QJsonDocument::fromJson(out).object(); }
    QString token() const { return object().value(QStringLiteral("token")).toString(); }
    // For failure messages: stdout only when it holds no token (tokens stay out of logs).
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(out.contains("\"token\"") ? QStringLiteral("(a token, not shown)")
                                           : QString::fromUtf8(out.left(400)),
                 QString::fromUtf8(err.left(2000)));
    }
};

// How many requests each of the provider's endpoints answered, as provider.mjs counts them.
struct Counts
{
    QJsonObject values;
    int of(const QString &key) const { return values.value(key).toInt(); }
};
} // namespace

class TestCliOidcProvider : public QObject
{
    Q_OBJECT

private:
    azid::test::OidcProviderProcess m_provider;
    QString m_aliceRecord; // the JSON azid-cli login printed
    QString m_bobToken;    // Bob's last cached token, to show that removing Alice leaves it alone

    // How many times browser.mjs was started as $BROWSER (it logs the sign-in page it opens).
    int browserStarts() const { return int(m_provider.browserLog().count("sign-in page ")); }

    // Global options that point azid-cli at the provider, with the test's own profile.
    QStringList at() const
    {
        return {QStringLiteral("--profile"),
                Profile,
                QStringLiteral("--authority"),
                m_provider.authority(),
                QStringLiteral("--tenant"),
                Tenant,
                QStringLiteral("--client-id"),
                ClientId,
                QStringLiteral("--ca-bundle"),
                m_provider.caFile(),
                QStringLiteral("--disable-instance-discovery")};
    }

    Run cli(const QStringList &arguments) const
    {
        QProcess process;
        process.start(Cli, arguments);
        if (!process.waitForStarted(10000))
            return {-1, {}, process.errorString().toUtf8()};
        process.closeWriteChannel();
        if (!process.waitForFinished(FlowLimitMs)) {
            process.kill();
            process.waitForFinished(5000);
            return {-1, process.readAllStandardOutput(),
                    "(did not finish; killed)\n" + process.readAllStandardError()};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    // `azid-cli token` as a script runs it: the profile and the account, nothing of the provider
    // (authority, tenant, client id, CA and instance discovery come from the stored account).
    Run token(const QString &account) const
    {
        QStringList arguments{QStringLiteral("--profile"), Profile, QStringLiteral("token"),
                              QStringLiteral("--scope"), ReadScope};
        if (!account.isEmpty())
            arguments << QStringLiteral("--account") << account;
        return cli(arguments);
    }

    bool setAccessTokenTtl(int seconds)
    {
        return m_provider.control(QStringLiteral("access-token-ttl %1").arg(seconds),
                                  QStringLiteral("OIDC_PROVIDER_ACCESS_TOKEN_TTL")) ==
               QString::number(seconds);
    }

    Counts counts()
    {
        const QString json =
            m_provider.control(QStringLiteral("counts"), QStringLiteral("OIDC_PROVIDER_COUNTS"));
        return {QJsonDocument::fromJson(json.toUtf8()).object()};
    }

    void checkRecord(const QJsonObject &record, const QString &username);
    void tokensOfAccount(const QString &username);

private slots:
    void initTestCase();
    void cleanupTestCase();
    void browserLogin();
    void browserAccountTokens();
    void deviceCodeLogin();
    void deviceCodeAccountTokens();
    void accountsListAndRemove();
};

void TestCliOidcProvider::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("AZID_TEST_KEYRING"),
             "run this test through tests/support/run-with-keyring.sh (ctest does)");
    QVERIFY2(QFileInfo(Cli).isExecutable(), qPrintable(Cli + QStringLiteral(" is not built")));
    const QString error = m_provider.start(LongTtl);
    if (!error.isEmpty())
        QFAIL(qPrintable(error));

    // Every azid-cli process inherits these. $BROWSER is browser.mjs (azid-cli appends the URL); it
    // signs in as the login hint the page is prefilled with; AZID_CONFORMANCE_LOGIN is a name used
    // only if the hint was lost.
    m_provider.exportBrowserEnvironment();
    qputenv("AZID_CONFORMANCE_LOGIN", "the-login-hint-was-lost@azid-conformance.test");
}

void TestCliOidcProvider::cleanupTestCase()
{
    m_provider.stop();
}

void TestCliOidcProvider::checkRecord(const QJsonObject &record, const QString &username)
{
    QCOMPARE(record.value(QStringLiteral("authority")).toString(), m_provider.environment());
    QCOMPARE(record.value(QStringLiteral("clientId")).toString(), ClientId);
    QCOMPARE(record.value(QStringLiteral("tenantId")).toString(), Tenant);
    QCOMPARE(record.value(QStringLiteral("username")).toString(), username);
    // Without Entra's client_info the account is known by the ID token's subject.
    QCOMPARE(record.value(QStringLiteral("homeAccountId")).toString(), username);
    QCOMPARE(record.value(QStringLiteral("version")).toString(), QStringLiteral("1.0"));
}

// After a sign-in made while tokens lived ShortTtl seconds: three `azid-cli token` processes.
void TestCliOidcProvider::tokensOfAccount(const QString &username)
{
    const int browsersBefore = browserStarts();

    // 1. The access token the sign-in cached expires within five minutes, so it looks expired: the
    // new process refreshes with the refresh token the sign-in stored.
    const Counts c0 = counts();
    const Run first = token(username);
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe() + m_provider.logs()));
    QVERIFY(!first.token().isEmpty());
    QCOMPARE(first.object().value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
    QVERIFY(first.object().contains(QStringLiteral("refresh_on")));
    // The provider's expires_in, counted from the request (made before now).
    QVERIFY(first.object().value(QStringLiteral("expires_on")).toInteger() <=
            QDateTime::currentSecsSinceEpoch() + ShortTtl);
    const Counts c1 = counts();
    QVERIFY2(c1.of(QStringLiteral("token:refresh_token")) - c0.of(QStringLiteral("token:refresh_token")) == 1,
             qPrintable(m_provider.logs()));
    QCOMPARE(c1.of(QStringLiteral("token")) - c0.of(QStringLiteral("token")), 1);

    // 2. That token expires within five minutes too: the next process gets a new one, with the
    // refresh token the first process stored (oidc-provider rotates refresh tokens, and reusing a
    // rotated one would revoke the whole grant). This one lives long.
    QVERIFY(setAccessTokenTtl(LongTtl));
    const Run second = token(username);
    QVERIFY2(second.exitCode == 0, qPrintable(second.describe() + m_provider.logs()));
    QVERIFY(!second.token().isEmpty());
    QVERIFY(second.token() != first.token());
    QVERIFY(second.object().value(QStringLiteral("expires_on")).toInteger() >
            first.object().value(QStringLiteral("expires_on")).toInteger() + 300);
    const Counts c2 = counts();
    QCOMPARE(c2.of(QStringLiteral("token:refresh_token")) - c1.of(QStringLiteral("token:refresh_token")), 1);
    QCOMPARE(c2.of(QStringLiteral("token")) - c1.of(QStringLiteral("token")), 1);

    // 3. Another process: the same token, from the encrypted cache; nothing reaches the token endpoint.
    const Run third = token(username);
    QVERIFY2(third.exitCode == 0, qPrintable(third.describe() + m_provider.logs()));
    QCOMPARE(third.token(), second.token());
    QCOMPARE(third.object().value(QStringLiteral("expires_on")),
             second.object().value(QStringLiteral("expires_on")));
    const Counts c3 = counts();
    QCOMPARE(c3.of(QStringLiteral("token")), c2.of(QStringLiteral("token")));

    // Silent throughout: no sign-in page was asked for, no device code, no browser started.
    for (const QString &route :
         {QStringLiteral("authorization"), QStringLiteral("device_authorization"),
          QStringLiteral("code_verification"), QStringLiteral("token:authorization_code"),
          QStringLiteral("token:urn:ietf:params:oauth:grant-type:device_code")}) {
        QVERIFY2(c3.of(route) == c0.of(route), qPrintable(route));
    }
    QCOMPARE(browserStarts(), browsersBefore);
    if (username == Bob)
        m_bobToken = third.token();
}

// `azid-cli login --flow browser`: $BROWSER (browser.mjs) signs in on the provider's own pages in
// Chromium and lands on azid-cli's loopback listener.
void TestCliOidcProvider::browserLogin()
{
    QVERIFY(setAccessTokenTtl(ShortTtl));
    const Counts before = counts();
    const Run login =
        cli(at() + QStringList{QStringLiteral("login"), QStringLiteral("--flow"), QStringLiteral("browser"),
                               QStringLiteral("--scope"), ReadScope, QStringLiteral("--login-hint"), Alice,
                               QStringLiteral("--timeout"), QStringLiteral("150")});
    QVERIFY2(login.exitCode == 0, qPrintable(login.describe() + m_provider.logs()));
    // stdout holds only the record; the address is on stderr in case no browser opens.
    const QJsonDocument document = QJsonDocument::fromJson(login.out);
    QVERIFY2(document.isObject(), login.out.constData());
    checkRecord(document.object(), Alice);
    QVERIFY2(login.err.contains((m_provider.authority() + QStringLiteral("/azid/v2.0/")).toUtf8()),
             login.err.constData());
    m_aliceRecord = QString::fromUtf8(login.out.trimmed());

    // The browser really went through the provider's pages to azid-cli's listener.
    QVERIFY2(QTest::qWaitFor(
                 [this] {
                     const QByteArray log = m_provider.browserLog();
                     return log.contains("Authentication complete") || log.contains("FAILED");
                 },
                 60000),
             qPrintable(m_provider.logs()));
    QVERIFY2(!m_provider.browserLog().contains("FAILED"), qPrintable(m_provider.logs()));
    QCOMPARE(browserStarts(), 1);
    const Counts after = counts();
    QCOMPARE(after.of(QStringLiteral("token:authorization_code")) -
                 before.of(QStringLiteral("token:authorization_code")),
             1);
}

void TestCliOidcProvider::browserAccountTokens()
{
    QVERIFY2(!m_aliceRecord.isEmpty(), "needs browserLogin");
    tokensOfAccount(Alice);
}

// `azid-cli login --flow device-code`: the instructions are read from the running process's stderr
// and browser.mjs --device enters the code on the provider's verification page.
void TestCliOidcProvider::deviceCodeLogin()
{
    QVERIFY(setAccessTokenTtl(ShortTtl));
    const Counts before = counts();
    QProcess login;
    login.start(Cli, at() + QStringList{QStringLiteral("login"), QStringLiteral("--flow"),
                                        QStringLiteral("device-code"), QStringLiteral("--scope"), ReadScope,
                                        QStringLiteral("--timeout"), QStringLiteral("150")});
    QVERIFY2(login.waitForStarted(10000), qPrintable(login.errorString()));
    login.closeWriteChannel();

    QByteArray err;
    QRegularExpressionMatch match;
    const QRegularExpression instructions(
        QStringLiteral("open (\\S+) in a browser on any device and enter the code (\\S+) \\(valid until"));
    QDeadlineTimer deadline(60000);
    while (!match.hasMatch() && !deadline.hasExpired() && login.state() == QProcess::Running) {
        login.waitForReadyRead(500);
        err += login.readAllStandardError();
        match = instructions.match(QString::fromUtf8(err));
    }
    QVERIFY2(match.hasMatch(),
             qPrintable(QString::fromUtf8(err + login.readAllStandardError()) + m_provider.logs()));
    const QString verificationUri = match.captured(1);
    const QString userCode = match.captured(2);
    QVERIFY2(verificationUri.startsWith(m_provider.authority() + QStringLiteral("/azid/v2.0/")),
             qPrintable(verificationUri));

    QProcess browser;
    browser.setStandardOutputFile(QProcess::nullDevice());
    m_provider.startDeviceCodeBrowser(browser, Bob, userCode, verificationUri);
    QVERIFY2(browser.waitForStarted(10000), qPrintable(browser.errorString()));
    const bool browserDone = browser.waitForFinished(FlowLimitMs);
    const QByteArray browserErr = browser.readAllStandardError();
    if (!browserDone)
        browser.kill();
    QVERIFY2(browserDone && browser.exitStatus() == QProcess::NormalExit && browser.exitCode() == 0,
             qPrintable(QString::fromUtf8(browserErr) + m_provider.logs()));

    QVERIFY2(login.waitForFinished(FlowLimitMs), qPrintable(m_provider.logs()));
    err += login.readAllStandardError();
    const QByteArray out = login.readAllStandardOutput();
    QVERIFY2(login.exitStatus() == QProcess::NormalExit && login.exitCode() == 0,
             qPrintable(QStringLiteral("exit %1: %2").arg(login.exitCode()).arg(QString::fromUtf8(err)) +
                        m_provider.logs()));
    const QJsonDocument document = QJsonDocument::fromJson(out);
    QVERIFY2(document.isObject(), out.constData()); // the instructions went to stderr, not stdout
    checkRecord(document.object(), Bob);

    const Counts after = counts();
    QCOMPARE(after.of(QStringLiteral("device_authorization")) -
                 before.of(QStringLiteral("device_authorization")),
             1);
    QCOMPARE(after.of(QStringLiteral("authorization")), before.of(QStringLiteral("authorization")));
}

void TestCliOidcProvider::deviceCodeAccountTokens()
{
    tokensOfAccount(Bob);
}

// Both accounts are listed; removing Alice takes her tokens and leaves Bob's working.
void TestCliOidcProvider::accountsListAndRemove()
{
    QVERIFY2(!m_aliceRecord.isEmpty() && !m_bobToken.isEmpty(), "needs the sign-ins of both flows");
    const QStringList profile{QStringLiteral("--profile"), Profile};
    const Run list = cli(profile + QStringList{QStringLiteral("accounts"), QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));
    const QJsonArray accounts = QJsonDocument::fromJson(list.out).array();
    QCOMPARE(accounts.size(), 2);
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &account : accounts)
        byName.insert(account.toObject().value(QStringLiteral("username")).toString(), account.toObject());
    QCOMPARE(QSet<QString>(byName.keyBegin(), byName.keyEnd()), (QSet<QString>{Alice, Bob}));
    QCOMPARE(byName[Alice].value(QStringLiteral("signInMethod")).toString(), QStringLiteral("browser"));
    QCOMPARE(byName[Bob].value(QStringLiteral("signInMethod")).toString(), QStringLiteral("device-code"));
    QCOMPARE(byName[Alice].value(QStringLiteral("authority")).toString(), m_provider.environment());
    QCOMPARE(byName[Bob].value(QStringLiteral("authority")).toString(), m_provider.environment());
    QCOMPARE(byName[Alice].value(QStringLiteral("isDefault")).toBool(), true); // the first sign-in
    QCOMPARE(byName[Bob].value(QStringLiteral("isDefault")).toBool(), false);

    const Run removed =
        cli(profile + QStringList{QStringLiteral("accounts"), QStringLiteral("remove"), Alice});
    QVERIFY2(removed.exitCode == 0, qPrintable(removed.describe()));
    const Run after = cli(profile + QStringList{QStringLiteral("accounts"), QStringLiteral("list")});
    QCOMPARE(after.exitCode, 0);
    const QJsonArray left = QJsonDocument::fromJson(after.out).array();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().toObject().value(QStringLiteral("username")).toString(), Bob);

    // Bob's cached token is untouched: served from the cache, also as the only account left when
    // none is named.
    const Counts c0 = counts();
    const Run bob = token(Bob);
    QVERIFY2(bob.exitCode == 0, qPrintable(bob.describe() + m_provider.logs()));
    QCOMPARE(bob.token(), m_bobToken);
    const Run unnamed = token(QString());
    QVERIFY2(unnamed.exitCode == 0, qPrintable(unnamed.describe()));
    QCOMPARE(unnamed.token(), m_bobToken);
    QCOMPARE(counts().of(QStringLiteral("token")), c0.of(QStringLiteral("token")));

    // Alice is gone (exit 3: credential unavailable), and so are her tokens: with her record imported
    // back, azid-cli has no token and no refresh token for her (exit 5: interaction required).
    const Run alice = token(Alice);
    QVERIFY2(alice.exitCode == 3, qPrintable(alice.describe()));
    QFile record(m_provider.filePath(QStringLiteral("alice.json")));
    QVERIFY(record.open(QIODevice::WriteOnly));
    record.write(m_aliceRecord.toUtf8());
    record.close();
    const Run imported = cli(at() + QStringList{QStringLiteral("accounts"), QStringLiteral("import"),
                                                QStringLiteral("--file"), record.fileName()});
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.describe()));
    const Run required = token(Alice);
    QVERIFY2(required.exitCode == 5, qPrintable(required.describe()));
    QCOMPARE(counts().of(QStringLiteral("token")), c0.of(QStringLiteral("token")));
}

QTEST_GUILESS_MAIN(TestCliOidcProvider)
#include "tst_cli_oidcprovider.moc"
