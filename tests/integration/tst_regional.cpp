// AZURE_REGIONAL_AUTHORITY_NAME for real: a confidential client's client-credentials request goes to
// the regional token service (<region>.<host> for a host outside the public cloud, MSAL's rule), and
// nothing else does. azid-sandbox serves a certificate that names localhost and westus2.localhost;
// a CONNECT proxy on loopback records which host each tunnelled request asked for and carries it to
// the sandbox (the library sends loopback hosts direct and westus2.localhost through the proxy, so
// no name needs resolving).
#include "azid/certificatecredential.h"
#include "azid/clientsecretcredential.h"

#include "credentialtesting.h"
#include "sandbox.h"
#include "testwait.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace azid;
using namespace azid::test;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");

// An HTTP CONNECT proxy that tunnels every request to 127.0.0.1:`port`, whatever host it names.
class TunnelProxy : public QObject
{
public:
    explicit TunnelProxy(quint16 port) : m_port(port)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection())
                accept(client);
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    QStringList targets; // host:port of each CONNECT

    // Ends every tunnel: the credentials of a thread share their connections, so a test's first
    // request would otherwise go through a tunnel an earlier test opened, without a CONNECT.
    void closeTunnels()
    {
        for (QTcpSocket *client : findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly))
            client->abort();
    }

private:
    void accept(QTcpSocket *client)
    {
        client->setParent(this);
        auto *upstream = new QTcpSocket(client);
        auto *buffer = new QByteArray;
        connect(client, &QObject::destroyed, [buffer] { delete buffer; });
        connect(client, &QTcpSocket::readyRead, client, [this, client, upstream, buffer] {
            if (upstream->state() == QAbstractSocket::ConnectedState) {
                upstream->write(client->readAll());
                return;
            }
            buffer->append(client->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> line = buffer->left(buffer->indexOf("\r\n")).split(' ');
            targets.append(line.size() > 1 ? QString::fromLatin1(line[1]) : QString());
            const QByteArray rest = buffer->mid(end + 4);
            connect(upstream, &QTcpSocket::connected, client, [client, upstream, rest] {
                client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                if (!rest.isEmpty())
                    upstream->write(rest);
            });
            upstream->connectToHost(QHostAddress::LocalHost, m_port);
        });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
        connect(upstream, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
        connect(client, &QTcpSocket::disconnected, client, [client] { client->deleteLater(); });
    }

    quint16 m_port;
    QTcpServer m_server;
};
} // namespace

class TestRegional : public QObject
{
    Q_OBJECT

private:
    Sandbox m_sandbox;
    QTemporaryDir m_dir;
    std::unique_ptr<TunnelProxy> m_proxy;

    template <typename Options> Options options(const QString &region)
    {
        auto o = m_sandbox.credentialOptions<Options>(nullptr);
        o.authority = QStringLiteral("https://localhost:%1").arg(m_sandbox.url().port());
        o.http.proxy = m_proxy->url();
        o.regionalAuthority = region;
        return o;
    }

    QString regional() const { return QStringLiteral("westus2.localhost:%1").arg(m_sandbox.url().port()); }

    // Token requests the sandbox received, whichever host they named.
    int tokenRequests() { return m_sandbox.countRequests(QStringLiteral("token")); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QProcess openssl;
        openssl.setWorkingDirectory(m_dir.path());
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                       QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                       QStringLiteral("-keyout"), QStringLiteral("tls.key"), QStringLiteral("-out"),
                       QStringLiteral("tls.pem"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                       QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=DNS:localhost,DNS:westus2.localhost,IP:127.0.0.1"),
                       QStringLiteral("-days"), QStringLiteral("2")});
        QVERIFY(openssl.waitForFinished(60000) && openssl.exitCode() == 0);
        QVERIFY2(m_sandbox.start({QStringLiteral("--tls-cert"), m_dir.filePath(QStringLiteral("tls.pem")),
                                  QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("tls.key"))}),
                 qPrintable(m_sandbox.errorString()));
        m_proxy = std::make_unique<TunnelProxy>(static_cast<quint16>(m_sandbox.url().port()));
    }

    // A certificate credential's assertion names the central token endpoint as its audience (as MSAL
    // signs it), which azid-sandbox accepts for localhost and would refuse for westus2.localhost.
    void certificateAssertionNamesTheCentralEndpoint()
    {
        QProcess openssl;
        openssl.setWorkingDirectory(m_dir.path());
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                       QStringLiteral("app.key"), QStringLiteral("-out"), QStringLiteral("app.crt"),
                       QStringLiteral("-subj"), QStringLiteral("/CN=app"), QStringLiteral("-days"),
                       QStringLiteral("2")});
        QVERIFY(openssl.waitForFinished(60000) && openssl.exitCode() == 0);
        QFile key(m_dir.filePath(QStringLiteral("app.key"))),
            certificate(m_dir.filePath(QStringLiteral("app.crt"))),
            pem(m_dir.filePath(QStringLiteral("app.pem")));
        QVERIFY(key.open(QIODevice::ReadOnly) && certificate.open(QIODevice::ReadOnly) &&
                pem.open(QIODevice::WriteOnly));
        const QByteArray crt = certificate.readAll();
        pem.write(key.readAll() + crt);
        pem.close();
        const QString app = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QJsonObject registered =
            m_sandbox
                .control("POST", QStringLiteral("apps"),
                         QJsonDocument(QJsonObject{
                             {QStringLiteral("client_id"), app},
                             {QStringLiteral("name"), QStringLiteral("regional app")},
                             {QStringLiteral("certificates"), QJsonArray{QString::fromLatin1(crt)}}}))
                .object();
        QVERIFY(registered.value(QStringLiteral("ok")).toBool());
        m_sandbox.clearRequests();
        CertificateCredential credential(Contoso, app, pem.fileName(),
                                         options<CertificateCredentialOptions>(QStringLiteral("westus2")));
        const TokenResult result = await(credential.getTokenInfo(tokenRequest({Arm})));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(m_proxy->targets, QStringList{regional()});
    }

    void init()
    {
        m_sandbox.clearRequests();
        m_proxy->closeTunnels();
        m_proxy->targets.clear();
    }

    void clientCredentialsGoToTheRegion()
    {
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>(QStringLiteral("westus2")));
        const TokenResult result = await(credential.getTokenInfo(tokenRequest({Arm})));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("appid")).toString(), Daemon);
        // The token request, and only it, went to the regional host.
        QCOMPARE(m_proxy->targets, QStringList{regional()});
        QCOMPARE(tokenRequests(), 1);
    }

    void environmentVariableChoosesTheRegion_data()
    {
        QTest::addColumn<QByteArray>("variable");
        QTest::addColumn<QString>("option");
        QTest::addColumn<bool>("regionalRequest");
        QTest::newRow("AZURE_REGIONAL_AUTHORITY_NAME") << QByteArray("westus2") << QString() << true;
        QTest::newRow("unset") << QByteArray() << QString() << false;
        QTest::newRow("the option disables it")
            << QByteArray("westus2") << QStringLiteral("DisableRegion") << false;
    }
    void environmentVariableChoosesTheRegion()
    {
        QFETCH(QByteArray, variable);
        QFETCH(QString, option);
        QFETCH(bool, regionalRequest);
        if (variable.isEmpty())
            qunsetenv("AZURE_REGIONAL_AUTHORITY_NAME");
        else
            qputenv("AZURE_REGIONAL_AUTHORITY_NAME", variable);
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>(option));
        qunsetenv("AZURE_REGIONAL_AUTHORITY_NAME");
        const TokenResult result = await(credential.getTokenInfo(tokenRequest({Arm})));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(m_proxy->targets, regionalRequest ? QStringList{regional()} : QStringList{});
    }

    // A region that is no region name is a configuration error, not a request to a made-up host.
    void badRegionIsAConfigurationError()
    {
        ClientSecretCredential credential(
            Contoso, Daemon, Secret::fromString(DaemonSecret),
            options<ClientSecretCredentialOptions>(QStringLiteral("evil.example/")));
        const TokenResult result = await(credential.getTokenInfo(tokenRequest({Arm})));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("region")),
                 qPrintable(result.error().message));
        QVERIFY(m_proxy->targets.isEmpty());
        QCOMPARE(tokenRequests(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRegional)
#include "tst_regional.moc"
