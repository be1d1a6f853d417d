// EnvironmentCredential: which credential a set of environment variables configures, in
// azure.identity's order, and what an incomplete set says is missing. The environment is given to
// the credential; the process's own is never changed.

#include "azid/environmentcredential.h"
#include "environmentconfiguration.h"
#include "futures.h"

#include <QTest>

using namespace azid;

namespace {

const QString kSecretValue = QStringLiteral("env-test-client-secret-7f3a");
const QString kPasswordValue = QStringLiteral("env-test-password-91c2");
const QString kCertificatePasswordValue = QStringLiteral("env-test-certificate-password-55d0");

// "NAME=VALUE" (or "NAME=" for a variable set to the empty string).
QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return environment;
}

QStringList s_messages;
QtMessageHandler s_previousHandler = nullptr;
void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    s_messages.append(message);
    if (s_previousHandler)
        s_previousHandler(type, context, message);
}

TokenResult tokenNow(EnvironmentCredential &credential, const QStringList &scopes)
{
    TokenRequestOptions options;
    options.scopes = scopes;
    QFuture<TokenResult> future = credential.getTokenInfo(options);
    // Everything asked of these credentials fails before any network access, so the answer is ready.
    if (!future.isFinished())
        return AuthError::authentication(QStringLiteral("the future did not finish at once"));
    return future.result();
}

} // namespace

class TestEnvironmentCredential : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void selection_data();
    void selection();
    void unavailableSaysWhatIsMissing_data();
    void unavailableSaysWhatIsMissing();
    void authorityHostComesFromTheGivenEnvironment_data();
    void authorityHostComesFromTheGivenEnvironment();
    void optionsAuthorityWinsOverTheEnvironment();
    void unreadableCertificateFailsEveryRequest();
};

void TestEnvironmentCredential::initTestCase()
{
    s_previousHandler = qInstallMessageHandler(captureMessages);
}

void TestEnvironmentCredential::cleanupTestCase()
{
    qInstallMessageHandler(s_previousHandler);
    for (const QString &message : std::as_const(s_messages)) {
        QVERIFY2(!message.contains(kSecretValue), qPrintable(message));
        QVERIFY2(!message.contains(kPasswordValue), qPrintable(message));
        QVERIFY2(!message.contains(kCertificatePasswordValue), qPrintable(message));
    }
}

void TestEnvironmentCredential::selection_data()
{
    QTest::addColumn<QStringList>("variables");
    QTest::addColumn<QString>("credential"); // empty: none
    QTest::addColumn<QStringList>("missing");

    const QString tenant = QStringLiteral("AZURE_TENANT_ID=72f988bf-86f1-41af-91ab-2d7cd011db47");
    const QString client = QStringLiteral("AZURE_CLIENT_ID=0b5e8f0e-6c36-4c2b-a0b4-0a1e5ed27c11");
    const QString secret = QStringLiteral("AZURE_CLIENT_SECRET=") + kSecretValue;
    const QString certificate = QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH=/nonexistent/azid-test.pem");
    const QString certificatePassword =
        QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD=") + kCertificatePasswordValue;
    const QString sendChain = QStringLiteral("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN=true");
    const QString username = QStringLiteral("AZURE_USERNAME=alice@contoso.example");
    const QString password = QStringLiteral("AZURE_PASSWORD=") + kPasswordValue;
    const QString secretVar = QStringLiteral("AZURE_CLIENT_SECRET");
    const QString tenantVar = QStringLiteral("AZURE_TENANT_ID");
    const QString clientVar = QStringLiteral("AZURE_CLIENT_ID");
    const QString certificateVar = QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH");
    const QString usernameVar = QStringLiteral("AZURE_USERNAME");
    const QString passwordVar = QStringLiteral("AZURE_PASSWORD");
    const QString secretCredential = QStringLiteral("ClientSecretCredential");
    const QString certificateCredential = QStringLiteral("CertificateCredential");
    const QString userCredential = QStringLiteral("UsernamePasswordCredential");

    // Complete sets, and azure.identity's precedence among them.
    QTest::newRow("client secret") << QStringList{tenant, client, secret} << secretCredential
                                   << QStringList{};
    QTest::newRow("certificate") << QStringList{tenant, client, certificate} << certificateCredential
                                 << QStringList{};
    QTest::newRow("certificate with password and chain")
        << QStringList{tenant, client, certificate, certificatePassword, sendChain} << certificateCredential
        << QStringList{};
    QTest::newRow("username and password")
        << QStringList{tenant, client, username, password} << userCredential << QStringList{};
    QTest::newRow("username and password, no tenant")
        << QStringList{client, username, password} << userCredential << QStringList{};
    QTest::newRow("secret before certificate")
        << QStringList{tenant, client, secret, certificate} << secretCredential << QStringList{};
    QTest::newRow("secret before user")
        << QStringList{tenant, client, secret, username, password} << secretCredential << QStringList{};
    QTest::newRow("certificate before user") << QStringList{tenant, client, certificate, username, password}
                                             << certificateCredential << QStringList{};
    QTest::newRow("everything") << QStringList{tenant,    client,   secret,  certificate, certificatePassword,
                                               sendChain, username, password}
                                << secretCredential << QStringList{};
    QTest::newRow("incomplete secret falls through to user")
        << QStringList{client, secret, username, password} << userCredential << QStringList{};
    QTest::newRow("incomplete secret falls through to certificate")
        << QStringList{tenant, client, QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH=/x.pem")}
        << certificateCredential << QStringList{};
    // An empty value counts as set, as in azure.identity.
    QTest::newRow("empty secret is set")
        << QStringList{tenant, client, QStringLiteral("AZURE_CLIENT_SECRET=")} << secretCredential
        << QStringList{};
    QTest::newRow("empty tenant is set") << QStringList{QStringLiteral("AZURE_TENANT_ID="), client, secret}
                                         << secretCredential << QStringList{};
    QTest::newRow("empty password is set") << QStringList{client, username, QStringLiteral("AZURE_PASSWORD=")}
                                           << userCredential << QStringList{};

    // Incomplete sets: nothing is built, and what is missing is named.
    QTest::newRow("nothing") << QStringList{} << QString() << QStringList{};
    QTest::newRow("unrelated variables")
        << QStringList{QStringLiteral("HOME=/root"), QStringLiteral("PATH=/bin")} << QString()
        << QStringList{};
    QTest::newRow("secret without tenant")
        << QStringList{client, secret} << QString() << QStringList{tenantVar};
    QTest::newRow("secret without client")
        << QStringList{tenant, secret} << QString() << QStringList{clientVar};
    QTest::newRow("secret alone") << QStringList{secret} << QString() << QStringList{tenantVar, clientVar};
    QTest::newRow("certificate without tenant")
        << QStringList{client, certificate} << QString() << QStringList{tenantVar};
    QTest::newRow("certificate without client")
        << QStringList{tenant, certificate} << QString() << QStringList{clientVar};
    QTest::newRow("certificate password alone")
        << QStringList{certificatePassword} << QString() << QStringList{tenantVar, clientVar, certificateVar};
    QTest::newRow("user without client")
        << QStringList{tenant, username, password} << QString() << QStringList{clientVar};
    QTest::newRow("user without password")
        << QStringList{tenant, client, username} << QString() << QStringList{passwordVar};
    QTest::newRow("password without user")
        << QStringList{client, password} << QString() << QStringList{usernameVar};
    QTest::newRow("tenant and client only")
        << QStringList{tenant, client} << QString() << QStringList{secretVar};
    QTest::newRow("client only") << QStringList{client} << QString() << QStringList{tenantVar, secretVar};
    QTest::newRow("authority host alone")
        << QStringList{QStringLiteral("AZURE_AUTHORITY_HOST=login.microsoftonline.us")} << QString()
        << QStringList{};
}

void TestEnvironmentCredential::selection()
{
    QFETCH(QStringList, variables);
    QFETCH(QString, credential);
    QFETCH(QStringList, missing);

    const QProcessEnvironment environment = environmentOf(variables);
    const detail::EnvironmentConfiguration configuration =
        detail::selectEnvironmentConfiguration(environment);
    QCOMPARE(configuration.missing, missing);

    EnvironmentCredentialOptions options;
    options.environment = environment;
    EnvironmentCredential environmentCredential(options);
    QCOMPARE(environmentCredential.name(), QStringLiteral("EnvironmentCredential"));
    if (credential.isEmpty()) {
        QVERIFY(!environmentCredential.credential());
        QCOMPARE(configuration.kind, detail::EnvironmentConfiguration::Kind::None);
        const TokenResult result =
            tokenNow(environmentCredential, {QStringLiteral("https://management.azure.com/.default")});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(result.error().message.startsWith(QStringLiteral(
                     "EnvironmentCredential authentication unavailable. Environment variables are not fully "
                     "configured")),
                 qPrintable(result.error().message));
        QVERIFY(result.error().message.contains(
            QStringLiteral("https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot")));
        for (const QString &name : missing)
            QVERIFY2(result.error().message.contains(name), qPrintable(result.error().message));
    } else {
        QVERIFY(environmentCredential.credential());
        QCOMPARE(environmentCredential.credential()->name(), credential);
        QVERIFY(configuration.problem.isEmpty());
        // The inner credential is a child of the environment credential: it dies with it.
        QCOMPARE(dynamic_cast<QObject *>(environmentCredential.credential())->parent(),
                 &environmentCredential);
    }
}

void TestEnvironmentCredential::unavailableSaysWhatIsMissing_data()
{
    QTest::addColumn<QStringList>("variables");
    QTest::addColumn<QString>("expected"); // the part between "configured: " and ".\nVisit"

    QTest::newRow("nothing set")
        << QStringList{}
        << "none of AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, "
           "AZURE_USERNAME or AZURE_PASSWORD is set";
    QTest::newRow("secret without tenant")
        << QStringList{QStringLiteral("AZURE_CLIENT_ID=c"), QStringLiteral("AZURE_CLIENT_SECRET=s")}
        << "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set, so a client secret configuration is meant, "
           "which "
           "also needs AZURE_TENANT_ID";
    QTest::newRow("certificate without tenant and client")
        << QStringList{QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH=/c.pem")}
        << "AZURE_CLIENT_CERTIFICATE_PATH is set, so a certificate configuration is meant, which also needs "
           "AZURE_TENANT_ID and AZURE_CLIENT_ID";
    QTest::newRow("user without password")
        << QStringList{QStringLiteral("AZURE_CLIENT_ID=c"), QStringLiteral("AZURE_USERNAME=u")}
        << "AZURE_CLIENT_ID and AZURE_USERNAME are set, so a username and password configuration is meant, "
           "which also needs AZURE_PASSWORD";
    QTest::newRow("tenant and client only")
        << QStringList{QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_CLIENT_ID=c")}
        << "AZURE_TENANT_ID and AZURE_CLIENT_ID are set, but no credential: set AZURE_CLIENT_SECRET for a "
           "client "
           "secret, AZURE_CLIENT_CERTIFICATE_PATH for a certificate, or AZURE_USERNAME and AZURE_PASSWORD "
           "for a "
           "user";
}

void TestEnvironmentCredential::unavailableSaysWhatIsMissing()
{
    QFETCH(QStringList, variables);
    QFETCH(QString, expected);

    EnvironmentCredentialOptions options;
    options.environment = environmentOf(variables);
    EnvironmentCredential credential(options);
    const TokenResult result = tokenNow(credential, {QStringLiteral("https://vault.azure.net/.default")});
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
    QCOMPARE(result.error().message,
             QStringLiteral(
                 "EnvironmentCredential authentication unavailable. Environment variables are not fully "
                 "configured: %1.\nVisit "
                 "https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to "
                 "troubleshoot this issue.")
                 .arg(expected));
}

void TestEnvironmentCredential::authorityHostComesFromTheGivenEnvironment_data()
{
    QTest::addColumn<QStringList>("variables");

    const QString insecure = QStringLiteral("AZURE_AUTHORITY_HOST=http://insecure-authority.example");
    QTest::newRow("client secret") << QStringList{
        QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_CLIENT_ID=c"),
        QStringLiteral("AZURE_CLIENT_SECRET=") + kSecretValue, insecure};
    QTest::newRow("username and password")
        << QStringList{QStringLiteral("AZURE_CLIENT_ID=c"), QStringLiteral("AZURE_USERNAME=u"),
                       QStringLiteral("AZURE_PASSWORD=") + kPasswordValue, insecure};
}

void TestEnvironmentCredential::authorityHostComesFromTheGivenEnvironment()
{
    // An http authority is refused before anything is sent; that the refusal names the host proves
    // the inner credential was given AZURE_AUTHORITY_HOST from this environment, not the process's.
    QFETCH(QStringList, variables);
    EnvironmentCredentialOptions options;
    options.environment = environmentOf(variables);
    EnvironmentCredential credential(options);
    QVERIFY(credential.credential());
    const TokenResult result = tokenNow(credential, {QStringLiteral("https://vault.azure.net/.default")});
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.contains(QStringLiteral("insecure-authority.example")),
             qPrintable(result.error().message));
}

void TestEnvironmentCredential::optionsAuthorityWinsOverTheEnvironment()
{
    EnvironmentCredentialOptions options;
    options.environment =
        environmentOf({QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_CLIENT_ID=c"),
                       QStringLiteral("AZURE_CLIENT_SECRET=") + kSecretValue,
                       QStringLiteral("AZURE_AUTHORITY_HOST=login.microsoftonline.us")});
    options.authority = QStringLiteral("http://from-options.example");
    EnvironmentCredential credential(options);
    const TokenResult result = tokenNow(credential, {QStringLiteral("https://vault.azure.net/.default")});
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.contains(QStringLiteral("from-options.example")),
             qPrintable(result.error().message));
}

void TestEnvironmentCredential::unreadableCertificateFailsEveryRequest()
{
    // azure.identity raises at construction; Azid builds the credential and every request says why.
    EnvironmentCredentialOptions options;
    options.environment =
        environmentOf({QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_CLIENT_ID=c"),
                       QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH=/nonexistent/azid-test.pem"),
                       QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD=") + kCertificatePasswordValue});
    EnvironmentCredential credential(options);
    QVERIFY(credential.credential());
    QCOMPARE(credential.credential()->name(), QStringLiteral("CertificateCredential"));
    const TokenResult result = tokenNow(credential, {QStringLiteral("https://vault.azure.net/.default")});
    QVERIFY(!result.ok());
    QVERIFY2(!result.error().message.contains(kCertificatePasswordValue), qPrintable(result.error().message));
}

QTEST_GUILESS_MAIN(TestEnvironmentCredential)
#include "tst_environmentcredential.moc"
