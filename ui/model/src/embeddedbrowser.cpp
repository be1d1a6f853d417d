#include "azid/model/embeddedbrowser.h"

#include "modellogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace azid::model {

EmbeddedBrowser::EmbeddedBrowser(const QString &program)
    : m_program(program.isEmpty() ? findHelper() : program)
{}

QString EmbeddedBrowser::findHelper()
{
    const QString fromEnvironment = qEnvironmentVariable("AZID_WEBVIEW");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(QStringLiteral("azid-webview")),
                                     here.filePath(QStringLiteral("../libexec/azid/azid-webview"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return {};
}

bool EmbeddedBrowser::isAvailable() const
{
    return !m_program.isEmpty() && QFileInfo(m_program).isExecutable();
}

QString EmbeddedBrowser::unavailableReason() const
{
    if (isAvailable())
        return {};
    return QCoreApplication::translate(
        "azid::model::EmbeddedBrowser",
        "The embedded browser (azid-webview) is not installed: it needs Qt WebEngine "
        "(Debian: qt6-webengine-dev when building). Use the system browser or a device "
        "code instead.");
}

QByteArray EmbeddedBrowser::launchRequest(const QUrl &url) const
{
    QJsonObject request{{QStringLiteral("url"), QString::fromUtf8(url.toEncoded())}};
    if (!m_network.proxy.isEmpty())
        request.insert(QStringLiteral("proxy"), m_network.proxy.toString());
    if (!m_network.caBundleFile.isEmpty())
        request.insert(QStringLiteral("caBundle"), m_network.caBundleFile);
    return QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
}

QProcess *EmbeddedBrowser::open(const QUrl &url, QObject *owner) const
{
    auto *process = new QProcess(owner);
    process->setProgram(m_program);
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->setStandardOutputFile(QProcess::nullDevice());
    qCInfo(lcModel) << "starting the embedded browser" << m_program;
    process->start();
    process->write(launchRequest(url));
    process->closeWriteChannel();
    return process;
}

} // namespace azid::model
