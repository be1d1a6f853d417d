#include "oidcproviderprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

namespace azid::test {

namespace {
const QString ConformanceDir = QStringLiteral(AZID_CONFORMANCE_DIR);
const QString Chromium = QStringLiteral("/usr/bin/chromium");

QByteArray fileTail(const QString &path, qsizetype bytes)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().right(bytes) : QByteArray();
}
} // namespace

OidcProviderProcess::OidcProviderProcess()
{
    if (qEnvironmentVariableIsSet("AZID_CONFORMANCE_KEEP")) {
        m_dir.setAutoRemove(false);
        qInfo("AZID_CONFORMANCE_KEEP: logs and provider state stay in %s", qPrintable(m_dir.path()));
    }
}

OidcProviderProcess::~OidcProviderProcess()
{
    stop();
}

QString OidcProviderProcess::start(int accessTokenTtl)
{
    if (!m_dir.isValid())
        return QStringLiteral("cannot make a temporary folder: %1").arg(m_dir.errorString());

    // What the run needs from the machine: say what to install.
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (m_node.isEmpty())
        return QStringLiteral(
            "node is not installed: install Debian's nodejs and npm (scripts/install-deps.sh).");
    if (!QFileInfo(Chromium).isExecutable())
        return QStringLiteral(
            "/usr/bin/chromium is missing: install Debian's chromium (scripts/install-deps.sh).");
    for (const char *package : {"oidc-provider", "playwright-core"}) {
        if (!QFileInfo::exists(ConformanceDir + QStringLiteral("/node_modules/") + QLatin1String(package) +
                               QStringLiteral("/package.json"))) {
            return QStringLiteral("The npm package %1 is missing in %2/node_modules: run scripts/npm-deps.sh "
                                  "(npm ci in tests/conformance).")
                .arg(QLatin1String(package), ConformanceDir);
        }
    }

    m_process.setProgram(m_node);
    m_process.setArguments({ConformanceDir + QStringLiteral("/provider.mjs"), QStringLiteral("--state-dir"),
                            m_dir.filePath(QStringLiteral("provider")), QStringLiteral("--log"),
                            providerLogPath(), QStringLiteral("--access-token-ttl"),
                            QString::number(accessTokenTtl)});
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    const QString stderrPath = m_dir.filePath(QStringLiteral("provider.stderr"));
    m_process.setStandardErrorFile(stderrPath);
    m_process.start(); // stdin stays open: the provider stops when it closes (also if the test dies)
    if (!m_process.waitForStarted(10000))
        return m_process.errorString();

    const bool ready = readLinesUntil(60000, [this](const QString &line) {
        if (line.startsWith(QStringLiteral("OIDC_PROVIDER_URL=")))
            m_authority = line.section(QLatin1Char('='), 1);
        else if (line.startsWith(QStringLiteral("OIDC_PROVIDER_CA=")))
            m_caFile = line.section(QLatin1Char('='), 1);
        return line == QStringLiteral("OIDC_PROVIDER_READY");
    });
    if (!ready) {
        return QStringLiteral("provider.mjs did not become ready: %1")
            .arg(QString::fromUtf8(fileTail(stderrPath, 6000)));
    }
    if (m_authority.isEmpty())
        return QStringLiteral("provider.mjs did not print its URL");
    if (!QFileInfo::exists(m_caFile))
        return QStringLiteral("provider.mjs named no CA file that exists: %1").arg(m_caFile);
    const QUrl authority(m_authority);
    m_environment = authority.host() + QLatin1Char(':') + QString::number(authority.port());
    return QString();
}

void OidcProviderProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.closeWriteChannel();
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void OidcProviderProcess::exportBrowserEnvironment() const
{
    qputenv("BROWSER", QStringLiteral("\"%1\" \"%2/browser.mjs\"").arg(m_node, ConformanceDir).toUtf8());
    qputenv("AZID_CONFORMANCE_CA", m_caFile.toUtf8());
    qputenv("AZID_CONFORMANCE_LOG", browserLogPath().toUtf8());
    qputenv("AZID_CONFORMANCE_BROWSER_TIMEOUT", "120");
}

void OidcProviderProcess::startDeviceCodeBrowser(QProcess &browser, const QString &login,
                                                 const QString &userCode,
                                                 const QString &verificationUri) const
{
    browser.start(m_node, {ConformanceDir + QStringLiteral("/browser.mjs"), QStringLiteral("--login"), login,
                           QStringLiteral("--device"), userCode, verificationUri});
}

QString OidcProviderProcess::browserLogPath() const
{
    return m_dir.filePath(QStringLiteral("browser.log"));
}

QString OidcProviderProcess::providerLogPath() const
{
    return m_dir.filePath(QStringLiteral("provider.log"));
}

QByteArray OidcProviderProcess::browserLog() const
{
    QFile file(browserLogPath());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString OidcProviderProcess::logs() const
{
    QString text;
    for (const QString &path : {browserLogPath(), providerLogPath()}) {
        text += QStringLiteral("\n--- %1 ---\n").arg(QFileInfo(path).fileName()) +
                QString::fromUtf8(fileTail(path, 6000));
    }
    return text;
}

QString OidcProviderProcess::control(const QString &command, const QString &answerKey)
{
    m_process.write(command.toUtf8() + '\n');
    QString answer;
    readLinesUntil(30000, [&](const QString &line) {
        if (line.startsWith(answerKey + QLatin1Char('='))) {
            answer = line.section(QLatin1Char('='), 1);
            return true;
        }
        return line.startsWith(QStringLiteral("OIDC_PROVIDER_ERROR="));
    });
    return answer;
}

bool OidcProviderProcess::readLinesUntil(int limitMs, const std::function<bool(const QString &line)> &done)
{
    QDeadlineTimer deadline(limitMs);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        if (!m_process.canReadLine() && !m_process.waitForReadyRead(500))
            continue;
        while (m_process.canReadLine()) {
            if (done(QString::fromUtf8(m_process.readLine()).trimmed()))
                return true;
        }
    }
    return false;
}

} // namespace azid::test
