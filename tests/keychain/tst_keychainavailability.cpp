// KeychainAvailability with scripted probes: backoff, the signals, stop and retry, and late answers.
// (tst_keychainwait runs it against a real Secret Service that appears or is unlocked late.)
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/storagefailure.h"

#include <QPromise>
#include <QSignalSpy>
#include <QTest>

#include <deque>

using namespace azid;
using namespace std::chrono_literals;

namespace {

// Answers each probe with the next scripted result, or holds it until release().
class ScriptedProbe
{
public:
    std::deque<VoidResult> answers;
    bool hold = false;
    int calls = 0;
    std::vector<std::shared_ptr<QPromise<VoidResult>>> held;

    KeychainAvailability::Probe probe()
    {
        return [this] {
            ++calls;
            auto promise = std::make_shared<QPromise<VoidResult>>();
            promise->start();
            auto future = promise->future();
            if (hold) {
                held.push_back(promise);
                return future;
            }
            VoidResult answer = answers.empty() ? VoidResult(Done{}) : answers.front();
            if (!answers.empty())
                answers.pop_front();
            promise->addResult(answer);
            promise->finish();
            return future;
        };
    }

    void release(const VoidResult &answer)
    {
        for (const auto &promise : held) {
            promise->addResult(answer);
            promise->finish();
        }
        held.clear();
    }
};

VoidResult failing(StorageFailure reason)
{
    return storageError(reason, storageFailureName(reason));
}

} // namespace

class TestKeychainAvailability : public QObject
{
    Q_OBJECT

private slots:
    void availableAtOnce()
    {
        ScriptedProbe script;
        KeychainAvailability watcher(script.probe());
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        QSignalSpy unavailable(&watcher, &KeychainAvailability::unavailable);
        QCOMPARE(watcher.state(), KeychainAvailability::State::Idle);
        watcher.start();
        QCOMPARE(available.count(), 1); // the probe answered at once
        QCOMPARE(unavailable.count(), 0);
        QVERIFY(watcher.isAvailable());
        QCOMPARE(watcher.attempts(), 1);
        watcher.start(); // nothing more to do
        QCOMPARE(script.calls, 1);
    }

    void retriesWithBackoffUntilAvailable()
    {
        ScriptedProbe script;
        script.answers = {failing(StorageFailure::KeychainUnavailable),
                          failing(StorageFailure::KeychainLocked), failing(StorageFailure::KeychainLocked),
                          failing(StorageFailure::KeychainTimeout), failing(StorageFailure::KeychainLocked)};
        KeychainAvailability watcher(script.probe());
        watcher.setBackoff({10ms, 50ms, 2.0});
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        QSignalSpy unavailable(&watcher, &KeychainAvailability::unavailable);
        QSignalSpy states(&watcher, &KeychainAvailability::stateChanged);
        watcher.start();
        QVERIFY(available.wait(10000));
        QCOMPARE(available.count(), 1);
        QCOMPARE(watcher.attempts(), 6);
        // The delays it announced: doubling from the initial one, capped at the maximum.
        QList<qint64> delays;
        QList<StorageFailure> reasons;
        for (const QList<QVariant> &signal : unavailable) {
            reasons << storageFailure(signal.at(0).value<AuthError>());
            delays << signal.at(1).toLongLong();
        }
        QCOMPARE(delays, (QList<qint64>{10, 20, 40, 50, 50}));
        QCOMPARE(reasons,
                 (QList<StorageFailure>{StorageFailure::KeychainUnavailable, StorageFailure::KeychainLocked,
                                        StorageFailure::KeychainLocked, StorageFailure::KeychainTimeout,
                                        StorageFailure::KeychainLocked}));
        QCOMPARE(states.last().first().value<KeychainAvailability::State>(),
                 KeychainAvailability::State::Available);
        QCOMPARE(watcher.lastFailure(), StorageFailure::KeychainLocked); // the last failure is remembered
    }

    void stopIgnoresALateAnswer()
    {
        ScriptedProbe script;
        script.hold = true;
        KeychainAvailability watcher(script.probe());
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        watcher.start();
        QCOMPARE(watcher.state(), KeychainAvailability::State::Checking);
        watcher.stop();
        QCOMPARE(watcher.state(), KeychainAvailability::State::Idle);
        script.release(Done{});
        QCoreApplication::processEvents();
        QCOMPARE(available.count(), 0);
        QCOMPARE(watcher.state(), KeychainAvailability::State::Idle);
    }

    void retryNowProbesAtOnce()
    {
        ScriptedProbe script;
        script.answers = {failing(StorageFailure::KeychainLocked)};
        KeychainAvailability watcher(script.probe());
        watcher.setBackoff({1h, 1h, 2.0}); // would wait an hour
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        watcher.start();
        QCOMPARE(watcher.state(), KeychainAvailability::State::Waiting);
        watcher.retryNow();
        QCOMPARE(available.count(), 1);
        QCOMPARE(script.calls, 2);
    }

    void watcherMayGoWhileAProbeRuns()
    {
        ScriptedProbe script;
        script.hold = true;
        {
            KeychainAvailability watcher(script.probe());
            watcher.start();
        }
        script.release(Done{}); // nobody is told, nothing breaks
        QCoreApplication::processEvents();
        QCOMPARE(script.calls, 1);
    }
};

QTEST_GUILESS_MAIN(TestKeychainAvailability)
#include "tst_keychainavailability.moc"
