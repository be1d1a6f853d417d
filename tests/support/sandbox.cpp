#include "sandbox.h"

#include "testwait.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

namespace azid::test {
namespace {
QByteArray send(const QUrl &url, const QByteArray &method, const QByteArray &body, const QString &caFile,
                int *status = nullptr, QByteArray *location = nullptr)
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(url);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.addCaCertificates(QSslCertificate::fromPath(caFile));
    request.setSslConfiguration(ssl);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (location)
        *location = reply->rawHeader("Location");
    const QByteArray answer = reply->readAll();
    delete reply;
    return answer;
}
} // namespace

Sandbox::Sandbox() = default;

Sandbox::~Sandbox() = default;

bool Sandbox::start(const QStringList &arguments)
{
    if (!m_server.start(QStringLiteral(AZID_SANDBOX_PATH), arguments, "AZID_SANDBOX_READY")) {
        m_error = m_server.errorString();
        return false;
    }
    m_url = QUrl(m_server.value("AZID_SANDBOX_URL"));
    m_caFile = m_server.value("AZID_SANDBOX_CA");
    if (!m_url.isValid() || m_caFile.isEmpty()) {
        m_error = QStringLiteral("azid-sandbox did not print its URL and CA file.");
        return false;
    }
    return true;
}

QString Sandbox::environment() const
{
    return QStringLiteral("%1:%2").arg(m_url.host()).arg(m_url.port());
}

QJsonDocument Sandbox::control(const QByteArray &method, const QString &path, const QJsonDocument &body)
{
    QUrl url = m_url;
    url.setPath(QStringLiteral("/_sandbox/") + path);
    return QJsonDocument::fromJson(
        send(url, method, body.isNull() ? QByteArray() : body.toJson(QJsonDocument::Compact), m_caFile));
}

QJsonDocument Sandbox::settings(const QJsonObject &changes)
{
    return control("POST", QStringLiteral("settings"), QJsonDocument(changes));
}

QJsonDocument Sandbox::fault(const QJsonObject &fault)
{
    return control("POST", QStringLiteral("faults"), QJsonDocument(fault));
}

void Sandbox::clearRequests()
{
    control("DELETE", QStringLiteral("requests"));
}

int Sandbox::countTlsHandshakes()
{
    const QJsonValue count =
        control("GET", QStringLiteral("connections")).object().value(QStringLiteral("tls_handshakes"));
    // Every control request comes on a connection of its own: this one's is not counted.
    return count.isDouble() ? count.toInt() - 1 : -1;
}

int Sandbox::countRequests(const QString &endpoint, const QString &grantType, const QString &error)
{
    int count = 0;
    const QJsonArray requests = control("GET", QStringLiteral("requests")).array();
    for (const QJsonValue &value : requests) {
        const QJsonObject r = value.toObject();
        if (r.value(QStringLiteral("endpoint")).toString() != endpoint)
            continue;
        if (!grantType.isEmpty() && r.value(QStringLiteral("grant_type")).toString() != grantType)
            continue;
        if (!error.isEmpty() && r.value(QStringLiteral("error")).toString() != error)
            continue;
        ++count;
    }
    return count;
}

QUrl Sandbox::authorizeRedirect(const QUrl &authorizeUrl)
{
    int status = 0;
    QByteArray location;
    send(authorizeUrl, "GET", {}, m_caFile, &status, &location);
    if (status != 302 && status != 303)
        return {};
    return QUrl(QString::fromUtf8(location));
}

} // namespace azid::test
