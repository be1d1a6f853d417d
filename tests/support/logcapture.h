#pragma once

#include <QMutex>
#include <QStringList>

namespace azid::test {

// Collects every message logged through Qt (all categories, debug included) for the life of the
// process, so that a test can prove no secret was ever logged. Messages still reach stderr.
class LogCapture
{
public:
    static void install();
    static QStringList messages();
    // The messages that contain `needle`.
    static QStringList find(const QString &needle);
};

} // namespace azid::test
