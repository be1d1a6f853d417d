#include "msiemulator.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

namespace azid::test {

MsiEmulator::MsiEmulator() = default;

MsiEmulator::~MsiEmulator()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool MsiEmulator::start(const QStringList &arguments)
{
    m_stateDir = std::make_unique<QTemporaryDir>();
    m_process.setProgram(QStringLiteral(AZID_MSI_EMULATOR_PATH));
    m_process.setArguments(
        QStringList{QStringLiteral("--state-dir"), m_stateDir->path(), QStringLiteral("--quiet")} +
        arguments);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // The emulator goes with the test, even when the test crashes.
    m_process.setChildProcessModifier([]() { prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("azid-msi-emulator did not start: ") + m_process.errorString();
        return false;
    }
    QDeadlineTimer deadline(30000);
    QByteArray output;
    while (!deadline.hasExpired()) {
        if (!m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            break;
        output += m_process.readAllStandardOutput();
        for (const QByteArray &line : output.split('\n')) {
            const QByteArray value = line.mid(line.indexOf('=') + 1).trimmed();
            if (line.startsWith("AZID_MSI_URL="))
                m_url = QUrl(QString::fromUtf8(value));
            else if (line.startsWith("AZID_MSI_TLS_URL="))
                m_tlsUrl = QUrl(QString::fromUtf8(value));
            else if (line.startsWith("AZID_MSI_CA="))
                m_caFile = QString::fromUtf8(value);
            else if (line.startsWith("AZID_MSI_TLS_THUMBPRINT="))
                m_thumbprint = QString::fromUtf8(value);
            else if (line.startsWith("AZID_MSI_ARC_KEY_DIR="))
                m_arcKeyDirectory = QString::fromUtf8(value);
        }
        if (output.contains("AZID_MSI_READY"))
            return m_url.isValid() && m_tlsUrl.isValid() && !m_thumbprint.isEmpty();
    }
    m_error =
        QStringLiteral("azid-msi-emulator did not report ready; it printed: ") + QString::fromUtf8(output);
    return false;
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
