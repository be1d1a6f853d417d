#include "azid/model/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace azid::model {

namespace {
bool isDefaultProfile(const QString &profile)
{
    return profile.isEmpty() || profile == QStringLiteral("default");
}
} // namespace

Autostart::Autostart(const QString &profile, const QString &program) : m_profile(profile), m_program(program)
{}

QString Autostart::entryPath() const
{
    // GenericConfigLocation is $XDG_CONFIG_HOME (default ~/.config).
    const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    const QString name = isDefaultProfile(m_profile) ? QStringLiteral("azid.desktop")
                                                     : QStringLiteral("azid-%1.desktop").arg(m_profile);
    return QDir(config).filePath(QStringLiteral("autostart/") + name);
}

bool Autostart::isEnabled() const
{
    return QFile::exists(entryPath());
}

QString Autostart::quoteExecArgument(const QString &argument)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    bool needsQuotes = argument.isEmpty();
    for (QChar c : argument) {
        if (reserved.contains(c))
            needsQuotes = true;
    }
    QString escaped = argument;
    // '%' introduces field codes in Exec.
    escaped.replace(QLatin1Char('%'), QStringLiteral("%%"));
    if (!needsQuotes)
        return escaped;
    QString quoted;
    for (QChar c : std::as_const(escaped)) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') || c == QLatin1Char('\\'))
            quoted += QLatin1Char('\\');
        quoted += c;
    }
    // In a desktop file's string values a backslash itself is escaped once more.
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString Autostart::entry() const
{
    QStringList exec{quoteExecArgument(m_program)};
    if (!isDefaultProfile(m_profile))
        exec << QStringLiteral("--profile") << quoteExecArgument(m_profile);
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Azid%1\n"
                          "Comment=Access tokens for Microsoft Entra ID accounts, from the tray\n"
                          "Exec=%2\n"
                          "Icon=azid\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(isDefaultProfile(m_profile) ? QString() : QStringLiteral(" (%1)").arg(m_profile),
             exec.join(QLatin1Char(' ')));
}

bool Autostart::setEnabled(bool enabled)
{
    m_error.clear();
    const QString path = entryPath();
    if (!enabled) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            m_error = QCoreApplication::translate("azid::model::Autostart", "Cannot remove %1.").arg(path);
            return false;
        }
        return true;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        m_error = QCoreApplication::translate("azid::model::Autostart", "Cannot create the folder of %1.")
                      .arg(path);
        return false;
    }
    QSaveFile file(path);
    const QByteArray text = entry().toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        m_error = QCoreApplication::translate("azid::model::Autostart", "Cannot write %1: %2.")
                      .arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace azid::model
