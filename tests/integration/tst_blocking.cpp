// The blocking API for programs without an event loop, for real against azid-sandbox:
// BlockingTokenCredential called from std::threads that are not Qt's, in this process (which has a
// QCoreApplication: the credential runs on a QThread of its own) and in a program that has none
// (blocking_noapp), and the README's example program (azid-token-example), which links only the
// library, run as a user would run it.
#include "azid/bearertokenprovider.h"
#include "azid/blockingtokencredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/clientsecretcredential.h"

#include "credentialtesting.h"
#include "sandbox.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace azid;
using namespace azid::test;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");
} // namespace

class TestBlocking : public QObject
{
    Q_OBJECT

private:
    Sandbox m_sandbox;
    QTemporaryDir m_home;

    BlockingTokenCredential::Factory clientSecret(const QString &secret = DaemonSecret)
    {
        return [this, secret] {
            auto options = m_sandbox.credentialOptions<ClientSecretCredentialOptions>(nullptr);
            return std::make_shared<ClientSecretCredential>(Contoso, Daemon, Secret::fromString(secret),
                                                            options);
        };
    }

    QProcessEnvironment programEnvironment() const
    {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("HOME"), m_home.path());
        environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
        environment.insert(QStringLiteral("AZID_CA_BUNDLE"), m_sandbox.caFile());
        // Under the sanitizers, the program gets the suite's options and suppressions (OpenSSL's
        // per-thread state, tests/lsan.supp) as every other test does.
        const QProcessEnvironment own = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {QStringLiteral("ASAN_OPTIONS"), QStringLiteral("LSAN_OPTIONS"),
                                    QStringLiteral("UBSAN_OPTIONS")}) {
            if (own.contains(name))
                environment.insert(name, own.value(name));
        }
        return environment;
    }

    // Runs `program` with `environment` and arguments; its exit code, stdout in `out`.
    int run(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment,
            QByteArray *out, QByteArray *err)
    {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(program, arguments);
        if (!process.waitForFinished(120000))
            return -1;
        *out = process.readAllStandardOutput();
        *err = process.readAllStandardError();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
    }

    void init() { m_sandbox.clearRequests(); }

    // Eight std::threads at once: each gets the token, the credential asks the authority once.
    void concurrentStdThreads()
    {
        BlockingTokenCredential credential(clientSecret());
        QCOMPARE(credential.name(), QStringLiteral("ClientSecretCredential"));
        std::atomic<int> tokens = 0;
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&] {
                const TokenResult result = credential.getTokenBlocking(tokenRequest({Arm}));
                if (result.ok() &&
                    claimsOf(result.value().token).value(QStringLiteral("appid")).toString() == Daemon)
                    ++tokens;
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(tokens.load(), 8);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 1);
    }

    void errorsArriveAsValues()
    {
        BlockingTokenCredential misconfigured(clientSecret(QString()));
        QVERIFY(misconfigured.configurationError().has_value());
        QVERIFY(misconfigured.configurationError()->invalidConfiguration);
        const TokenResult refused = misconfigured.getTokenBlocking(tokenRequest({Arm}));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().invalidConfiguration);

        BlockingTokenCredential credential(clientSecret(QStringLiteral("not-the-secret")));
        QVERIFY(!credential.configurationError());
        const Result<AccessToken> result = credential.getTokenBlocking({Arm}, {});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().hasCode(7000215), qPrintable(result.error().toString()));
    }

    void blockingBearerTokenProvider()
    {
        auto credential = std::make_shared<BlockingTokenCredential>(clientSecret());
        const BlockingBearerTokenProvider bearer = getBearerTokenProvider(credential, {Arm});
        Result<Secret> first;
        std::thread caller([&] { first = bearer(); });
        caller.join();
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QCOMPARE(claimsOf(first.value()).value(QStringLiteral("appid")).toString(), Daemon);
        const Result<Secret> second = bearer();
        QVERIFY(second.ok());
        QCOMPARE(second.value(), first.value());
        QVERIFY(bearerAuthorization(second.value()).reveal().startsWith("Bearer ey"));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 1);
    }

    // A callback of the credential runs on its thread; waiting for the same credential there would
    // never end, so that call fails at once instead.
    void callOnTheCredentialsOwnThreadFails()
    {
        BlockingTokenCredential *self = nullptr;
        std::optional<TokenResult> inside;
        BlockingTokenCredential credential([&]() -> std::shared_ptr<TokenCredential> {
            return std::make_shared<ClientAssertionCredential>(
                Contoso, Daemon,
                [&]() {
                    inside = self->getTokenBlocking(tokenRequest({Arm}));
                    return Secret();
                },
                m_sandbox.credentialOptions<ClientAssertionCredentialOptions>(nullptr));
        });
        self = &credential;
        const TokenResult outer = credential.getTokenBlocking(tokenRequest({Arm}));
        QVERIFY(!outer.ok());
        QVERIFY(inside.has_value());
        QVERIFY(!inside->ok());
        QCOMPARE(inside->error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(inside->error().message.contains(QStringLiteral("own thread")),
                 qPrintable(inside->error().message));
    }

    void noCredential()
    {
        BlockingTokenCredential none([] { return nullptr; });
        QCOMPARE(none.name(), QString());
        const TokenResult result = none.getTokenBlocking(tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
    }

    // A program with no QCoreApplication, calling from std::threads; destroying the credential ends
    // the application it started, and a second one starts another.
    void programWithoutQCoreApplication()
    {
        QProcessEnvironment environment = programEnvironment();
        environment.insert(QStringLiteral("AZID_TEST_AUTHORITY"), m_sandbox.authority());
        environment.insert(QStringLiteral("AZID_TEST_TENANT"), Contoso);
        environment.insert(QStringLiteral("AZID_TEST_CLIENT_ID"), Daemon);
        environment.insert(QStringLiteral("AZID_TEST_SECRET"), DaemonSecret);
        QByteArray out, err;
        const int code = run(QStringLiteral(AZID_BLOCKING_NOAPP_PATH), {}, environment, &out, &err);
        QVERIFY2(code == 0, (out + err).constData());
        QVERIFY2(out.contains("first credential: 4 tokens from ClientSecretCredential"), out.constData());
        QVERIFY2(out.contains("second credential: token"), out.constData());
        // Two credentials, two caches: one request each.
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 2);
    }

    // The README's program, configured as a user configures DefaultAzureCredential.
    void readmeExample_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("output");
        QTest::newRow("service principal")
            << DaemonSecret << 0 << QByteArray("Authorization: Bearer <a token of ");
        QTest::newRow("wrong secret") << QStringLiteral("not-the-secret") << 1 << QByteArray("AADSTS7000215");
    }
    void readmeExample()
    {
        QFETCH(QString, secret);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, output);
        QProcessEnvironment environment = programEnvironment();
        environment.insert(QStringLiteral("AZURE_TENANT_ID"), Contoso);
        environment.insert(QStringLiteral("AZURE_CLIENT_ID"), Daemon);
        environment.insert(QStringLiteral("AZURE_CLIENT_SECRET"), secret);
        environment.insert(QStringLiteral("AZURE_TOKEN_CREDENTIALS"),
                           QStringLiteral("EnvironmentCredential"));
        QByteArray out, err;
        const int code = run(QStringLiteral(AZID_TOKEN_EXAMPLE_PATH), {Arm, m_sandbox.authority()},
                             environment, &out, &err);
        QVERIFY2(code == exitCode, (out + err).constData());
        QVERIFY2((out + err).contains(output), (out + err).constData());
        QVERIFY(!out.contains("ey")); // the token itself is not printed
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 1);
    }
};

QTEST_GUILESS_MAIN(TestBlocking)
#include "tst_blocking.moc"
