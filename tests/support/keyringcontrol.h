#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace azid::test {

// The private test keyring of run-with-keyring.sh, driven as a person's session would: locked through
// the Secret Service's own Lock call, unlocked with its password (unlock-keyring.py, no prompt).
namespace keyring {

// Runs a program to its end; its standard output and error, or why it did not start.
QByteArray run(const QString &program, const QStringList &arguments, const QByteArray &input = {});
// Whether the login collection is locked, as the Secret Service says.
bool isLocked();
// Locks the login collection; false (with a warning) when it is not locked afterwards.
bool lock();
// Unlocks it with its password (`script`: unlock-keyring.py) and waits until the Secret Service says so.
bool unlock(const QString &script);

} // namespace keyring
} // namespace azid::test
