#include "azid/browseropener.h"

#include "logging.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>

namespace azid {
namespace {

// Starts a command detached, without a shell: the URL is one argument, never parsed by a shell.
bool startCommand(QString command, const QUrl &url)
{
    QStringList parts = QProcess::splitCommand(command);
    if (parts.isEmpty())
        return false;
    const QString encoded = QString::fromUtf8(url.toEncoded());
    bool substituted = false;
    for (QString &part : parts) {
        if (part.contains(QStringLiteral("%s"))) {
            part.replace(QStringLiteral("%s"), encoded);
            substituted = true;
        }
    }
    if (!substituted)
        parts.append(encoded);
    const QString program = parts.takeFirst();
    if (QStandardPaths::findExecutable(program).isEmpty() && !QFileInfo::exists(program))
        return false;
    return QProcess::startDetached(program, parts);
}

} // namespace

BrowserOpener systemBrowserOpener()
{
    return [](const QUrl &url) {
        const QString browser = qEnvironmentVariable("BROWSER");
        if (!browser.isEmpty()) {
            for (const QString &command : browser.split(QDir::listSeparator(), Qt::SkipEmptyParts)) {
                if (startCommand(command, url))
                    return true;
            }
            qCWarning(lcCredentials) << "none of the browsers named in $BROWSER could be started";
            return false;
        }
#if defined(Q_OS_MACOS)
        return startCommand(QStringLiteral("open"), url);
#elif defined(Q_OS_WIN)
        return startCommand(QStringLiteral("rundll32 url.dll,FileProtocolHandler"), url);
#else
        return startCommand(QStringLiteral("xdg-open"), url);
#endif
    };
}

} // namespace azid
