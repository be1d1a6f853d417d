#pragma once

#include <QString>
#include <QStringList>

namespace azid::model {

// Start at login through an XDG autostart entry: $XDG_CONFIG_HOME/autostart/azid.desktop (for a
// profile other than the default, azid-<profile>.desktop) that starts the program with its profile.
class Autostart
{
public:
    // `program`: the absolute path of the azid executable.
    Autostart(const QString &profile, const QString &program);

    QString entryPath() const;
    bool isEnabled() const;
    // Writes or removes the entry. False (with errorString()) when the file could not be written.
    bool setEnabled(bool enabled);
    QString errorString() const { return m_error; }

    // The entry's text.
    QString entry() const;
    // An argument quoted as the Desktop Entry specification's Exec key wants it.
    static QString quoteExecArgument(const QString &argument);

private:
    QString m_profile;
    QString m_program;
    QString m_error;
};

} // namespace azid::model
