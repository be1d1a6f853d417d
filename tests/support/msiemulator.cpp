#include "msiemulator.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>

namespace azid::test {

MsiEmulator::MsiEmulator() = default;

MsiEmulator::~MsiEmulator() = default;

bool MsiEmulator::start(const QStringList &arguments)
{
    if (!m_server.start(QStringLiteral(AZID_MSI_EMULATOR_PATH), arguments, "AZID_MSI_READY")) {
        m_error = m_server.errorString();
        return false;
    }
    m_url = QUrl(m_server.value("AZID_MSI_URL"));
    m_tlsUrl = QUrl(m_server.value("AZID_MSI_TLS_URL"));
    m_caFile = m_server.value("AZID_MSI_CA");
    m_thumbprint = m_server.value("AZID_MSI_TLS_THUMBPRINT");
    m_arcKeyDirectory = m_server.value("AZID_MSI_ARC_KEY_DIR");
    if (!m_url.isValid() || !m_tlsUrl.isValid() || m_thumbprint.isEmpty()) {
        m_error = QStringLiteral("azid-msi-emulator did not print its URLs and certificate thumbprint.");
        return false;
    }
    return true;
}

QString MsiEmulator::endpoint(const QString &path, bool tls) const
{
    QUrl url = tls ? m_tlsUrl : m_url;
    url.setPath(path);
    return url.toString();
}

QJsonDocument MsiEmulator::control(const QByteArray &method, const QString &path, const QJsonDocument &body)
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QUrl url = m_url;
    url.setPath(QStringLiteral("/_emulator/") + path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = network.sendCustomRequest(
        request, method, body.isNull() ? QByteArray() : body.toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    const QByteArray answer = reply->readAll();
    delete reply;
    return QJsonDocument::fromJson(answer);
}

QJsonObject MsiEmulator::settings(const QJsonObject &changes)
{
    if (changes.isEmpty())
        return control("GET", QStringLiteral("settings")).object();
    return control("POST", QStringLiteral("settings"), QJsonDocument(changes)).object();
}

bool MsiEmulator::fault(const QJsonObject &fault)
{
    return control("POST", QStringLiteral("faults"), QJsonDocument(fault))
        .object()
        .value(QStringLiteral("ok"))
        .toBool();
}

void MsiEmulator::reset()
{
    control("POST", QStringLiteral("reset"));
}

QJsonArray MsiEmulator::requests(const QString &source)
{
    const QJsonArray all = control("GET", QStringLiteral("requests")).array();
    if (source.isEmpty())
        return all;
    QJsonArray some;
    for (const QJsonValue &entry : all) {
        if (entry.toObject().value(QStringLiteral("source")).toString() == source)
            some.append(entry);
    }
    return some;
}

} // namespace azid::test
