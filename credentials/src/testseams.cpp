#include "testseams.h"

#include <QMutex>
#include <QMutexLocker>

namespace azid::detail {
namespace {

QMutex &seamsMutex()
{
    static QMutex mutex;
    return mutex;
}

TestSeams &currentSeams()
{
    static TestSeams seams;
    return seams;
}

TestSeams exchangeSeams(const TestSeams &seams)
{
    const QMutexLocker lock(&seamsMutex());
    TestSeams previous = currentSeams();
    currentSeams() = seams;
    return previous;
}

} // namespace

TestSeams testSeams()
{
    const QMutexLocker lock(&seamsMutex());
    return currentSeams();
}

ScopedTestSeams::ScopedTestSeams(const TestSeams &seams) : m_previous(exchangeSeams(seams)) {}

ScopedTestSeams::~ScopedTestSeams()
{
    exchangeSeams(m_previous);
}

} // namespace azid::detail
