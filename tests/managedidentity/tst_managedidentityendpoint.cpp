// The local managed-identity endpoint (ui/model's ManagedIdentityEndpoint) with its real clients:
// Debian's azure.identity (ManagedIdentityCredential, DefaultAzureCredential) and npm @azure/identity,
// each a separate process with IDENTITY_ENDPOINT and IDENTITY_HEADER set, getting the tokens of accounts
// signed in against azid-sandbox over TLS and kept in the real Secret Service (run-with-keyring.sh). Then
// what it refuses, over raw HTTP: a missing or wrong secret, other requests, scopes outside the
// allow-list, peers outside loopback, a flood; and that it keeps serving and logs no token.
#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/managedidentityendpoint.h"
#include "logcapture.h"
#include "sandbox.h"
#include "secretsseen.h"
#include "testwait.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace azid;
using namespace azid::model;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Vault = QStringLiteral("https://vault.azure.net/.default");
const QString Alice = QStringLiteral("alice@contoso.test");
const QString Bob = QStringLiteral("bob@contoso.test");

template <typename T> QByteArray why(const azid::Result<T> &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}

// What came back over one HTTP connection.
struct HttpAnswer
{
    int status = 0;                        // 0: no answer
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QJsonObject json;
};

HttpAnswer parseAnswer(const QByteArray &bytes)
{
    HttpAnswer answer;
    const QList<QByteArray> parts = bytes.split('\n');
    bool inHeaders = true;
    QByteArray body;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray line = inHeaders ? parts[i].trimmed() : parts[i];
        if (inHeaders && line.isEmpty())
            inHeaders = false;
        else if (const qsizetype colon = line.indexOf(':'); inHeaders && colon > 0)
            answer.headers.insert(line.first(colon).trimmed().toLower(), line.sliced(colon + 1).trimmed());
        else if (!inHeaders)
            body += line;
    }
    if (!inHeaders && bytes.startsWith("HTTP/1.1 "))
        answer.status = bytes.mid(9, 3).toInt();
    answer.json = QJsonDocument::fromJson(body).object();
    return answer;
}

// A raw HTTP request on a connection of its own, from `from` when given (a local address to bind).
class RawRequest
{
public:
    RawRequest(const QHostAddress &to, quint16 port, const QByteArray &request, const QHostAddress &from = {})
    {
        if (!from.isNull() && !m_socket.bind(from))
            qWarning() << "cannot bind" << from << m_socket.errorString();
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket,
                         [this, request]() { m_socket.write(request); });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket,
                         [this]() { m_received += m_socket.readAll(); });
        m_socket.connectToHost(to, port);
    }
    bool finished() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    HttpAnswer answer() { return parseAnswer(m_received + m_socket.readAll()); }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray tokenRequest(const QString &resource, const QByteArray &secretHeader, const QByteArray &extra = {})
{
    QByteArray request =
        "GET /msi/token?api-version=2019-08-01&resource=" + QUrl::toPercentEncoding(resource) + extra +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!secretHeader.isNull())
        request += "X-IDENTITY-HEADER: " + secretHeader + "\r\n";
    return request + "\r\n";
}

QString sha256(const Secret &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token.reveal(), QCryptographicHash::Sha256).toHex());
}

// A non-loopback IPv4 address of this machine, if it has one that is up.
QNetworkAddressEntry outsideAddress()
{
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        if (!(interface.flags() & QNetworkInterface::IsUp) ||
            (interface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol && !entry.ip().isLoopback())
                return entry;
        }
    }
    return {};
}

// What an SDK client printed: a token's hash and expiry, or an error.
struct SdkOutcome
{
    int exitCode = -1;
    qint64 pid = 0;
    QJsonObject json;
    QByteArray stdoutText;
    QByteArray stderrText;
};
} // namespace

class TestManagedIdentityEndpoint : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<ManagedIdentityEndpoint> m_endpoint;
    QString m_alice;
    QString m_bob;
    test::SecretsSeen m_secrets;

    void signIn(const QString &user)
    {
        SignInRequest request;
        request.authority = m_sandbox.authority();
        request.disableInstanceDiscovery = true;
        request.method = SignInMethod::UsernamePassword;
        request.scopes = {Arm};
        request.username = user;
        request.password =
            Secret::fromString(user.section(QLatin1Char('@'), 0, 0) + QStringLiteral("-password-1"));
        SignInOperation *operation = m_service->signIn(request, m_service.get());
        QVERIFY(QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000));
        QCOMPARE(operation->state(), SignInOperation::State::Succeeded);
    }

    QString idOf(const QString &user) const
    {
        for (const AccountEntry &entry : m_service->accounts()) {
            if (entry.record().username == user)
                return entry.id();
        }
        return {};
    }

    // The account's own token for a scope, as Azid hands it out; remembered as a secret.
    QString expectedHash(const QString &accountId, const QString &scope)
    {
        const TokenResult token = test::await(m_service->token(accountId, {scope}));
        if (!token.ok())
            return QString::fromUtf8(why(token));
        m_secrets << token.value().token.revealString();
        return sha256(token.value().token);
    }

    QProcessEnvironment clientEnvironment(const ManagedIdentityEndpoint &endpoint) const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : environment.keys()) {
            if (name.startsWith(QLatin1String("AZURE_")) || name.startsWith(QLatin1String("MSI_")) ||
                name.startsWith(QLatin1String("IDENTITY_")) ||
                name.compare(QLatin1String("http_proxy"), Qt::CaseInsensitive) == 0 ||
                name.compare(QLatin1String("https_proxy"), Qt::CaseInsensitive) == 0)
                environment.remove(name);
        }
        environment.insert(QStringLiteral("IDENTITY_ENDPOINT"), endpoint.url().toString());
        environment.insert(QStringLiteral("IDENTITY_HEADER"), endpoint.secret().revealString());
        environment.insert(QStringLiteral("NODE_PATH"), QStringLiteral(AZID_CONFORMANCE_DIR "/node_modules"));
        return environment;
    }

    // Runs an SDK client to its end with the event loop running (the endpoint answers in this process).
    SdkOutcome runClient(const QString &program, const QStringList &arguments,
                         const QProcessEnvironment &environment)
    {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(program, arguments);
        SdkOutcome outcome;
        if (!process.waitForStarted(30000))
            return outcome;
        outcome.pid = process.processId();
        if (!QTest::qWaitFor([&process]() { return process.state() == QProcess::NotRunning; }, 120000))
            process.kill(); // the exit code then says it did not finish
        outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        outcome.stdoutText = process.readAllStandardOutput();
        outcome.json = QJsonDocument::fromJson(outcome.stdoutText.trimmed().split('\n').last()).object();
        outcome.stderrText = process.readAllStandardError();
        return outcome;
    }

    SdkOutcome python(const QString &kind, const QString &scope, const QString &clientId = {})
    {
        QStringList arguments{QStringLiteral(AZID_SDK_CLIENT_PY), kind, scope};
        if (!clientId.isEmpty())
            arguments << clientId;
        return runClient(QStringLiteral(AZID_TEST_PYTHON), arguments, clientEnvironment(*m_endpoint));
    }

    SdkOutcome node(const QString &kind, const QString &scope)
    {
        return runClient(QStringLiteral("node"), {QStringLiteral(AZID_SDK_CLIENT_JS), kind, scope},
                         clientEnvironment(*m_endpoint));
    }

    HttpAnswer get(const QByteArray &request, const ManagedIdentityEndpoint &endpoint,
                   const QHostAddress &from = {},
                   const QHostAddress &to = QHostAddress(QHostAddress::LocalHost))
    {
        RawRequest raw(to, endpoint.url().port(), request, from);
        if (!QTest::qWaitFor([&raw]() { return raw.finished(); }, 30000))
            return {}; // status 0: no answer
        return raw.answer();
    }

    void startEndpoint(ManagedIdentityEndpointOptions options = {})
    {
        options.accountIds = {m_alice, Bob}; // by id or by user name
        m_endpoint = std::make_unique<ManagedIdentityEndpoint>(*m_service);
        const VoidResult started = m_endpoint->start(options);
        QVERIFY2(started.ok(), why(started).constData());
        m_secrets << m_endpoint->secret().revealString();
    }

private slots:
    void initTestCase();
    void theSecretIsRandomPerStart();
    void pythonManagedIdentityCredential();
    void pythonChoosesAnAccountByClientId();
    void pythonDefaultAzureCredential();
    void nodeManagedIdentityCredential();
    void nodeDefaultAzureCredential();
    void missingOrWrongSecretIsRefused();
    void otherRequestsAreRefused_data();
    void otherRequestsAreRefused();
    void scopesOutsideTheAllowListAreRefused();
    void peerRules_data();
    void peerRules();
    void endpointAddresses_data();
    void endpointAddresses();
    void loopbackBindServesLoopbackPeers();
    void peersOutsideLoopbackAreRefused();
    void floodGets429AndServingGoesOn();
    void slowAndIdleConnectionsAreClosed();
    void azidCliAgentServesItToEnv();
    void aSignInNeededIsAnError();
    void noTokenTextInLogs();
};

void TestManagedIdentityEndpoint::initTestCase()
{
    test::LogCapture::install();
    QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
    m_service =
        std::make_unique<AccountService>(std::make_unique<ProfileStorage>(QStringLiteral("mi-endpoint")));
    HttpOptions http;
    http.caBundleFile = m_sandbox.caFile();
    m_service->setHttpOptions(http);
    QSignalSpy loaded(m_service.get(), &AccountService::accountsChanged);
    m_service->reload();
    QVERIFY(loaded.wait(30000));
    QVERIFY2(m_service->loadError().isEmpty(), qPrintable(m_service->loadError()));
    signIn(Alice);
    signIn(Bob);
    m_alice = idOf(Alice);
    m_bob = idOf(Bob);
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
    startEndpoint();
}

void TestManagedIdentityEndpoint::theSecretIsRandomPerStart()
{
    QVERIFY(m_endpoint->isListening());
    QVERIFY(!m_endpoint->isExposed());
    QVERIFY(m_endpoint->warning().isEmpty());
    QCOMPARE(m_endpoint->url().host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(m_endpoint->url().path(), QStringLiteral("/msi/token"));
    // 32 random bytes, base64url without padding.
    QCOMPARE(m_endpoint->secret().size(), 43);
    const Secret first = m_endpoint->secret();
    startEndpoint();
    QVERIFY(!(m_endpoint->secret() == first));
    QCOMPARE(m_endpoint->secret().size(), 43);
}

void TestManagedIdentityEndpoint::pythonManagedIdentityCredential()
{
    QSignalSpy served(m_endpoint.get(), &ManagedIdentityEndpoint::requestServed);
    const SdkOutcome outcome = python(QStringLiteral("managed"), Arm);
    QVERIFY2(outcome.exitCode == 0, outcome.stderrText + QJsonDocument(outcome.json).toJson());
    QCOMPARE(outcome.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_alice, Arm));
    QVERIFY(outcome.json.value(QStringLiteral("expires_on")).toInteger() >
            QDateTime::currentSecsSinceEpoch());
    QCOMPARE(served.size(), 1);
    const auto record = served.first().first().value<ServedRequest>();
    QCOMPARE(record.status, 200);
    QCOMPARE(record.scope, Arm);
    QCOMPARE(record.accountId, m_alice);
    QCOMPARE(record.username, Alice);
    QCOMPARE(record.pid, outcome.pid);
    QVERIFY2(record.program.contains(QStringLiteral("python")), qPrintable(record.program));
    QCOMPARE(m_endpoint->recentRequests().last().pid, outcome.pid);
}

void TestManagedIdentityEndpoint::pythonChoosesAnAccountByClientId()
{
    const SdkOutcome bob = python(QStringLiteral("managed"), Arm, Bob);
    QVERIFY2(bob.exitCode == 0, bob.stderrText + QJsonDocument(bob.json).toJson());
    QCOMPARE(bob.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_bob, Arm));
    QCOMPARE(m_endpoint->recentRequests().last().accountId, m_bob);

    const SdkOutcome nobody = python(QStringLiteral("managed"), Arm, QStringLiteral("carol@contoso.test"));
    QCOMPARE(nobody.exitCode, 1);
    QVERIFY2(nobody.json.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("Identity not found")),
             qPrintable(nobody.json.value(QStringLiteral("message")).toString()));
    QCOMPARE(m_endpoint->recentRequests().last().status, 400);
}

void TestManagedIdentityEndpoint::pythonDefaultAzureCredential()
{
    const SdkOutcome outcome = python(QStringLiteral("default"), Graph);
    QVERIFY2(outcome.exitCode == 0, outcome.stderrText + QJsonDocument(outcome.json).toJson());
    QCOMPARE(outcome.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_alice, Graph));
    QCOMPARE(m_endpoint->recentRequests().last().scope, Graph);
}

void TestManagedIdentityEndpoint::nodeManagedIdentityCredential()
{
    const SdkOutcome outcome = node(QStringLiteral("managed"), Arm);
    QVERIFY2(outcome.exitCode == 0, outcome.stderrText + QJsonDocument(outcome.json).toJson());
    QCOMPARE(outcome.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_alice, Arm));
    const ServedRequest record = m_endpoint->recentRequests().last();
    QCOMPARE(record.status, 200);
    QCOMPARE(record.pid, outcome.pid);
    QVERIFY2(record.program.contains(QStringLiteral("node")), qPrintable(record.program));
}

void TestManagedIdentityEndpoint::nodeDefaultAzureCredential()
{
    const SdkOutcome outcome = node(QStringLiteral("default"), Graph);
    QVERIFY2(outcome.exitCode == 0, outcome.stderrText + QJsonDocument(outcome.json).toJson());
    QCOMPARE(outcome.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_alice, Graph));
}

void TestManagedIdentityEndpoint::missingOrWrongSecretIsRefused()
{
    const HttpAnswer missing =
        get(tokenRequest(QStringLiteral("https://management.azure.com"), {}), *m_endpoint);
    QCOMPARE(missing.status, 400);
    QCOMPARE(missing.json.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_request"));
    QVERIFY(missing.json.value(QStringLiteral("error_description"))
                .toString()
                .contains(QStringLiteral("X-IDENTITY-HEADER")));
    QVERIFY(!missing.json.contains(QStringLiteral("access_token")));

    // As long as the secret, one character off.
    QByteArray wrong = m_endpoint->secret().reveal();
    wrong[wrong.size() - 1] = wrong.back() == 'A' ? 'B' : 'A';
    const HttpAnswer refused =
        get(tokenRequest(QStringLiteral("https://management.azure.com"), wrong), *m_endpoint);
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.json.value(QStringLiteral("error")).toString(), QStringLiteral("unauthorized_client"));
    QVERIFY(!refused.json.contains(QStringLiteral("access_token")));
    QCOMPARE(m_endpoint->recentRequests().last().status, 401);
    QVERIFY(!test::LogCapture::find(QStringLiteral("refused")).isEmpty());

    QProcessEnvironment environment = clientEnvironment(*m_endpoint);
    environment.insert(QStringLiteral("IDENTITY_HEADER"), QStringLiteral("not-the-secret"));
    const SdkOutcome client =
        runClient(QStringLiteral(AZID_TEST_PYTHON),
                  {QStringLiteral(AZID_SDK_CLIENT_PY), QStringLiteral("managed"), Arm}, environment);
    QCOMPARE(client.exitCode, 1);
    QVERIFY(!client.json.contains(QStringLiteral("sha256")));
}

void TestManagedIdentityEndpoint::otherRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    const QByteArray secret = "X-IDENTITY-HEADER: SECRET\r\n";
    QTest::newRow("other path")
        << "GET /metadata/identity/oauth2/token?api-version=2019-08-01&resource=r HTTP/1.1\r\n" + secret +
               "\r\n"
        << 404;
    QTest::newRow("POST") << "POST /msi/token?api-version=2019-08-01&resource=r HTTP/1.1\r\n" + secret +
                                 "Content-Length: 0\r\n\r\n"
                          << 405;
    QTest::newRow("no api-version") << "GET /msi/token?resource=r HTTP/1.1\r\n" + secret + "\r\n" << 400;
    QTest::newRow("another api-version")
        << "GET /msi/token?api-version=2017-09-01&resource=r HTTP/1.1\r\n" + secret + "\r\n"
        << 400;
    QTest::newRow("no resource") << "GET /msi/token?api-version=2019-08-01 HTTP/1.1\r\n" + secret + "\r\n"
                                 << 400;
    QTest::newRow("two resources")
        << "GET /msi/token?api-version=2019-08-01&resource=a&resource=b HTTP/1.1\r\n" + secret + "\r\n"
        << 400;
    QTest::newRow("two secret headers")
        << "GET /msi/token?api-version=2019-08-01&resource=r HTTP/1.1\r\n" + secret + secret + "\r\n"
        << 400;
    QTest::newRow("not HTTP") << QByteArray("hello there\r\n\r\n") << 400;
    QTest::newRow("headers too large")
        << "GET /msi/token HTTP/1.1\r\nX-Padding: " + QByteArray(20000, 'a') + "\r\n\r\n"
        << 431;
}

void TestManagedIdentityEndpoint::otherRequestsAreRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    request.replace("SECRET", m_endpoint->secret().reveal());
    const HttpAnswer answer = get(request, *m_endpoint);
    QCOMPARE(answer.status, status);
    QVERIFY(!answer.json.value(QStringLiteral("error")).toString().isEmpty());
    QVERIFY(!answer.json.value(QStringLiteral("error_description")).toString().isEmpty());
    QVERIFY(!answer.json.contains(QStringLiteral("access_token")));
    QCOMPARE(m_endpoint->recentRequests().last().status, status);
}

void TestManagedIdentityEndpoint::scopesOutsideTheAllowListAreRefused()
{
    m_endpoint->setAllowedScopes(
        {QStringLiteral("https://management.azure.com")}); // a resource stands for its scope
    const auto restore = qScopeGuard([this]() { m_endpoint->setAllowedScopes({}); });
    const HttpAnswer graph =
        get(tokenRequest(QStringLiteral("https://graph.microsoft.com"), m_endpoint->secret().reveal()),
            *m_endpoint);
    QCOMPARE(graph.status, 403);
    QCOMPARE(graph.json.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_scope"));
    QVERIFY(graph.json.value(QStringLiteral("error_description")).toString().contains(Graph));
    QCOMPARE(m_endpoint->recentRequests().last().scope, Graph);

    const SdkOutcome refused = python(QStringLiteral("managed"), Graph);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.json.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("not among the scopes")),
             qPrintable(refused.json.value(QStringLiteral("message")).toString()));

    const HttpAnswer arm =
        get(tokenRequest(QStringLiteral("https://management.azure.com"), m_endpoint->secret().reveal()),
            *m_endpoint);
    QCOMPARE(arm.status, 200);
    QCOMPARE(arm.json.value(QStringLiteral("resource")).toString(),
             QStringLiteral("https://management.azure.com"));
    QCOMPARE(arm.json.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
    QVERIFY(arm.json.value(QStringLiteral("expires_on")).toString().toLongLong() >
            QDateTime::currentSecsSinceEpoch());
    QVERIFY(!arm.json.value(QStringLiteral("client_id")).toString().isEmpty());
    m_secrets << arm.json.value(QStringLiteral("access_token")).toString();
    QCOMPARE(sha256(Secret::fromString(arm.json.value(QStringLiteral("access_token")).toString())),
             expectedHash(m_alice, Arm));
}

void TestManagedIdentityEndpoint::peerRules_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("bound");
    QTest::addColumn<QString>("allowed");
    QTest::addColumn<bool>("expected");
    const auto row = [](const char *name, const char *peer, const char *bound, const char *allowed,
                        bool expected) {
        QTest::newRow(name) << QString::fromLatin1(peer) << QString::fromLatin1(bound)
                            << QString::fromLatin1(allowed) << expected;
    };
    row("loopback on loopback", "127.0.0.1", "127.0.0.1", "", true);
    row("another loopback address", "127.0.0.2", "127.0.0.1", "", true);
    row("IPv6 loopback", "::1", "127.0.0.1", "", true);
    row("outside on a loopback bind", "192.0.2.7", "127.0.0.1", "192.0.2.0/24", false);
    row("outside on any, none allowed", "192.0.2.7", "0.0.0.0", "", false);
    row("outside on any, its subnet allowed", "192.0.2.7", "0.0.0.0", "192.0.2.0/24", true);
    row("mapped IPv4 in an allowed subnet", "::ffff:172.17.0.2", "::", "172.17.0.0/16", true);
    row("another subnet", "10.1.2.3", "172.17.0.1", "172.17.0.0/16", false);
}

void TestManagedIdentityEndpoint::peerRules()
{
    QFETCH(QString, peer);
    QFETCH(QString, bound);
    QFETCH(QString, allowed);
    QFETCH(bool, expected);
    QList<PeerSubnet> subnets;
    if (!allowed.isEmpty())
        subnets << QHostAddress::parseSubnet(allowed);
    QCOMPARE(ManagedIdentityEndpoint::isPeerAllowed(QHostAddress(peer), QHostAddress(bound), subnets),
             expected);
}

void TestManagedIdentityEndpoint::endpointAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address"); // empty: refused
    QTest::addColumn<int>("port");
    const std::tuple<const char *, const char *, int> rows[] = {{"8182", "127.0.0.1", 8182},
                                                                {"0", "127.0.0.1", 0},
                                                                {"172.17.0.1:8182", "172.17.0.1", 8182},
                                                                {"0.0.0.0:8182", "0.0.0.0", 8182},
                                                                {"[::1]:8182", "::1", 8182},
                                                                {"localhost:8182", "", 0},
                                                                {"127.0.0.1:", "", 0},
                                                                {"65536", "", 0},
                                                                {"", "", 0}};
    for (const auto &[text, address, port] : rows)
        QTest::newRow(*text ? text : "empty")
            << QString::fromLatin1(text) << QString::fromLatin1(address) << port;
}

void TestManagedIdentityEndpoint::endpointAddresses()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(int, port);
    const Result<EndpointAddress> parsed = parseEndpointAddress(text);
    QCOMPARE(parsed.ok(), !address.isEmpty());
    if (!parsed.ok()) {
        QVERIFY(parsed.error().message.contains(text.isEmpty() ? QStringLiteral("PORT")
                                                               : text.section(QLatin1Char(':'), 0, 0)));
        return;
    }
    QCOMPARE(parsed.value().address, QHostAddress(address));
    QCOMPARE(int(parsed.value().port), port);
}

void TestManagedIdentityEndpoint::loopbackBindServesLoopbackPeers()
{
    const HttpAnswer answer =
        get(tokenRequest(QStringLiteral("https://management.azure.com"), m_endpoint->secret().reveal()),
            *m_endpoint, QHostAddress(QStringLiteral("127.0.0.2")));
    QCOMPARE(answer.status, 200);
    QCOMPARE(m_endpoint->recentRequests().last().peer, QHostAddress(QStringLiteral("127.0.0.2")));
    m_secrets << answer.json.value(QStringLiteral("access_token")).toString();
}

void TestManagedIdentityEndpoint::peersOutsideLoopbackAreRefused()
{
    const QNetworkAddressEntry outside = outsideAddress();
    if (outside.ip().isNull())
        QSKIP("This machine has no non-loopback IPv4 address to call from.");
    const QByteArray request = tokenRequest(QStringLiteral("https://management.azure.com"), "SECRET");

    // Bound to every address on request: exposed, and only loopback peers unless more are allowed.
    ManagedIdentityEndpoint exposed(*m_service);
    ManagedIdentityEndpointOptions options;
    options.listen.address = QHostAddress(QHostAddress::AnyIPv4); // no accounts named: the default one
    QVERIFY(exposed.start(options).ok());
    QVERIFY(exposed.isExposed());
    QVERIFY(exposed.warning().contains(QStringLiteral("0.0.0.0")));
    QByteArray withSecret = request;
    withSecret.replace("SECRET", exposed.secret().reveal());
    const HttpAnswer refused = get(withSecret, exposed, outside.ip(), outside.ip());
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.json.value(QStringLiteral("error")).toString(), QStringLiteral("access_denied"));
    QCOMPARE(exposed.recentRequests().last().peer, outside.ip());
    QCOMPARE(get(withSecret, exposed).status, 200);

    // The same peer in an allowed subnet.
    options.allowedPeers = {PeerSubnet(outside.ip(), 32)};
    QVERIFY(exposed.start(options).ok());
    withSecret = request;
    withSecret.replace("SECRET", exposed.secret().reveal());
    const HttpAnswer allowed = get(withSecret, exposed, outside.ip(), outside.ip());
    QCOMPARE(allowed.status, 200);
    m_secrets << allowed.json.value(QStringLiteral("access_token")).toString();
}

void TestManagedIdentityEndpoint::floodGets429AndServingGoesOn()
{
    ManagedIdentityEndpointOptions options;
    options.burst = 5;
    options.perSecond = 2;
    options.maxConnections = 16;
    startEndpoint(options);
    const QByteArray request =
        tokenRequest(QStringLiteral("https://management.azure.com"), m_endpoint->secret().reveal());

    // Connections that never send a request: the oldest are dropped to make room.
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 100; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, m_endpoint->url().port());
    }
    std::vector<std::unique_ptr<RawRequest>> flood;
    for (int i = 0; i < 60; ++i)
        flood.push_back(std::make_unique<RawRequest>(QHostAddress(QHostAddress::LocalHost),
                                                     m_endpoint->url().port(), request));
    QVERIFY(QTest::qWaitFor(
        [&flood]() {
            return std::all_of(flood.begin(), flood.end(), [](const auto &r) { return r->finished(); });
        },
        60000));
    int served = 0;
    int limited = 0;
    int retryAfter = 0;
    for (const auto &raw : flood) {
        const HttpAnswer answer = raw->answer();
        if (answer.status == 200) {
            ++served;
            m_secrets << answer.json.value(QStringLiteral("access_token")).toString();
        } else if (answer.status == 429) {
            ++limited;
            QCOMPARE(answer.json.value(QStringLiteral("error")).toString(),
                     QStringLiteral("too_many_requests"));
            retryAfter = std::max(retryAfter, answer.headers.value("retry-after").toInt());
        }
    }
    QVERIFY2(served >= 1 && limited >= 1 && served + limited > 0,
             qPrintable(QStringLiteral("%1 served, %2 limited").arg(served).arg(limited)));
    QVERIFY(retryAfter >= 1);
    QVERIFY(m_endpoint->isListening());

    // After Retry-After, an SDK client is served again.
    QTest::qWait(retryAfter * 1000);
    const SdkOutcome outcome = python(QStringLiteral("managed"), Arm);
    QVERIFY2(outcome.exitCode == 0, outcome.stderrText + QJsonDocument(outcome.json).toJson());
    QCOMPARE(outcome.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_alice, Arm));
}

void TestManagedIdentityEndpoint::slowAndIdleConnectionsAreClosed()
{
    ManagedIdentityEndpointOptions options;
    options.readTimeout = std::chrono::milliseconds(300);
    options.maxConnections = 4;
    startEndpoint(options);
    const quint16 port = m_endpoint->url().port();
    // A request that never ends its headers is closed without an answer.
    QTcpSocket slow;
    QByteArray received;
    connect(&slow, &QTcpSocket::readyRead, &slow, [&]() { received += slow.readAll(); });
    slow.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(slow.waitForConnected(10000));
    slow.write("GET /msi/token?api-version=2019-08-01 HTTP/1.1\r\nX-IDENTITY-HEADER: ");
    QVERIFY(QTest::qWaitFor([&slow]() { return slow.state() == QAbstractSocket::UnconnectedState; }, 30000));
    QVERIFY(received.isEmpty());

    // More idle connections than allowed: the oldest are dropped, and a request is still served.
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 12; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    QVERIFY(QTest::qWaitFor(
        [&idle]() {
            return std::all_of(idle.begin(), idle.end(), [](const auto &socket) {
                return socket->state() == QAbstractSocket::UnconnectedState;
            });
        },
        30000));
    const HttpAnswer answer =
        get(tokenRequest(QStringLiteral("https://management.azure.com"), m_endpoint->secret().reveal()),
            *m_endpoint);
    QCOMPARE(answer.status, 200);
    m_secrets << answer.json.value(QStringLiteral("access_token")).toString();
}

void TestManagedIdentityEndpoint::azidCliAgentServesItToEnv()
{
    QProcess agent;
    agent.start(QStringLiteral(AZID_CLI_PATH),
                {QStringLiteral("--profile"), QStringLiteral("mi-endpoint"), QStringLiteral("agent"),
                 QStringLiteral("--managed-identity-endpoint"), QStringLiteral("0"),
                 QStringLiteral("--scope"), Arm, QStringLiteral("--account"), Bob});
    QVERIFY(agent.waitForStarted(30000));
    const auto stopAgent = qScopeGuard([&agent]() {
        agent.terminate();
        if (!agent.waitForFinished(10000))
            agent.kill();
    });
    // `eval "$(azid-cli env)"`: once the agent listens and has read its accounts, env prints the two
    // variables for the account it serves.
    QHash<QString, QString> exported;
    const QStringList env{QStringLiteral("--profile"), QStringLiteral("mi-endpoint"), QStringLiteral("env"),
                          QStringLiteral("--account"), Bob};
    QVERIFY(QTest::qWaitFor(
        [&]() {
            const SdkOutcome printed =
                runClient(QStringLiteral(AZID_CLI_PATH), env, QProcessEnvironment::systemEnvironment());
            for (const QByteArray &line : printed.stdoutText.split('\n')) {
                const qsizetype equals = line.indexOf('=');
                if (line.startsWith("export ") && equals > 0)
                    exported.insert(QString::fromUtf8(line.mid(7, equals - 7)),
                                    QString::fromUtf8(line.mid(equals + 1)).remove(QLatin1Char('\'')));
            }
            return printed.exitCode == 0;
        },
        60000));
    QVERIFY(
        exported.value(QStringLiteral("IDENTITY_ENDPOINT")).startsWith(QStringLiteral("http://127.0.0.1:")));
    QCOMPARE(exported.value(QStringLiteral("IDENTITY_HEADER")).size(), 43);
    m_secrets << exported.value(QStringLiteral("IDENTITY_HEADER"));

    QProcessEnvironment environment = clientEnvironment(*m_endpoint);
    environment.insert(QStringLiteral("IDENTITY_ENDPOINT"),
                       exported.value(QStringLiteral("IDENTITY_ENDPOINT")));
    environment.insert(QStringLiteral("IDENTITY_HEADER"), exported.value(QStringLiteral("IDENTITY_HEADER")));
    const SdkOutcome client =
        runClient(QStringLiteral(AZID_TEST_PYTHON),
                  {QStringLiteral(AZID_SDK_CLIENT_PY), QStringLiteral("default"), Arm}, environment);
    QVERIFY2(client.exitCode == 0, client.stderrText + QJsonDocument(client.json).toJson());
    QCOMPARE(client.json.value(QStringLiteral("sha256")).toString(), expectedHash(m_bob, Arm));
    // --scope is the endpoint's allow-list: another scope is refused.
    const SdkOutcome refused =
        runClient(QStringLiteral(AZID_TEST_PYTHON),
                  {QStringLiteral(AZID_SDK_CLIENT_PY), QStringLiteral("managed"), Graph}, environment);
    QVERIFY2(refused.exitCode != 0 && !refused.json.contains(QStringLiteral("sha256")),
             refused.stderrText + QJsonDocument(refused.json).toJson());
    // The agent's log names the calling program, never the token.
    agent.terminate();
    QVERIFY(agent.waitForFinished(30000));
    const QByteArray log = agent.readAllStandardError() + agent.readAllStandardOutput();
    QVERIFY2(log.contains("served a token for " + Arm.toUtf8() + " to /usr/bin/python3") &&
                 log.contains("(pid " + QByteArray::number(client.pid) + ')'),
             log.constData());
    QVERIFY2(log.contains("invalid_scope"), log.constData());
    QVERIFY(!log.contains("eyJ"));
}

void TestManagedIdentityEndpoint::aSignInNeededIsAnError()
{
    m_sandbox.control("POST", QStringLiteral("revoke"),
                      QJsonDocument(QJsonObject{{QStringLiteral("username"), Bob}}));
    // Bob has no token for Key Vault: the refresh is refused, and Bob must sign in again.
    const HttpAnswer answer =
        get(tokenRequest(QStringLiteral("https://vault.azure.net"), m_endpoint->secret().reveal(),
                         "&client_id=" + QUrl::toPercentEncoding(Bob)),
            *m_endpoint);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.json.value(QStringLiteral("error")).toString(), QStringLiteral("interaction_required"));
    QVERIFY(!answer.json.contains(QStringLiteral("access_token")));
    const SdkOutcome client = python(QStringLiteral("managed"), Vault, Bob);
    QCOMPARE(client.exitCode, 1);
    QVERIFY2(client.json.value(QStringLiteral("message")).toString().contains(QStringLiteral("sign-in")),
             qPrintable(client.json.value(QStringLiteral("message")).toString()));
}

void TestManagedIdentityEndpoint::noTokenTextInLogs()
{
    const QStringList messages = test::LogCapture::find(QStringLiteral("managed identity endpoint: served"));
    QVERIFY(messages.size() >= 5);
    m_secrets.verifyNoneLogged(3);
}

QTEST_GUILESS_MAIN(TestManagedIdentityEndpoint)
#include "tst_managedidentityendpoint.moc"
