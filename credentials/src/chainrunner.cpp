#include "chainrunner.h"

#include "logging.h"

#include <QPromise>

namespace azid::detail {

namespace {

thread_local int t_chainDepth = 0;

struct WithinChain
{
    WithinChain() { ++t_chainDepth; }
    ~WithinChain() { --t_chainDepth; }
    WithinChain(const WithinChain &) = delete;
    WithinChain &operator=(const WithinChain &) = delete;
};

struct ChainRun : std::enable_shared_from_this<ChainRun>
{
    QList<ChainMember> members;
    TokenRequestOptions options;
    QString chainName;
    QList<ChainAttempt> attempts;
    QPromise<ChainOutcome> promise;

    void finish(ChainOutcome outcome)
    {
        promise.addResult(std::move(outcome));
        promise.finish();
    }

    void fail(bool invalidConfiguration = false)
    {
        const QString message = chainFailureMessage(chainName, attempts);
        qCWarning(lcCredentials).noquote() << message;
        AuthError error = AuthError::authentication(message);
        error.invalidConfiguration = invalidConfiguration;
        finish({error, -1});
    }

    // What the member at `index` answered: a token ends the run; unavailability goes on with the
    // next member; anything else ends the run with the aggregated error.
    void answered(qsizetype index, TokenResult result)
    {
        const ChainMember &member = members.at(index);
        if (result.ok()) {
            qCInfo(lcCredentials).noquote() << chainName << "acquired a token from" << member.displayName();
            finish({std::move(result), index});
            return;
        }
        AuthError error = result.error();
        attempts.append({member.displayName(), error.message});
        if (error.isUnavailable() || member.failuresUnavailable) {
            tryMember(index + 1);
            return;
        }
        qCDebug(lcCredentials).noquote()
            << chainName << ":" << member.displayName() << "failed, the chain stops:" << error.message;
        fail(error.invalidConfiguration);
    }

    void tryMember(qsizetype index)
    {
        if (index >= members.size()) {
            fail();
            return;
        }
        auto self = shared_from_this();
        QFuture<TokenResult> answer;
        {
            const WithinChain within;
            answer = members.at(index).credential->getTokenInfo(options);
        }
        answer
            .then(QtFuture::Launch::Sync,
                  [self, index](TokenResult result) { self->answered(index, std::move(result)); })
            .onCanceled([self, index]() {
                self->answered(index, AuthError::authentication(
                                          QStringLiteral("The request was canceled before it finished.")));
            });
    }
};

} // namespace

bool withinCredentialChain()
{
    return t_chainDepth > 0;
}

QFuture<ChainOutcome> runChain(QList<ChainMember> members, const TokenRequestOptions &options,
                               const QString &chainName)
{
    auto run = std::make_shared<ChainRun>();
    run->members = std::move(members);
    run->options = options;
    run->chainName = chainName;
    run->promise.start();
    QFuture<ChainOutcome> future = run->promise.future();
    run->tryMember(0);
    return future;
}

QString chainFailureMessage(const QString &chainName, const QList<ChainAttempt> &attempts)
{
    QStringList lines;
    for (const ChainAttempt &attempt : attempts)
        lines << (attempt.message.isEmpty() ? attempt.name
                                            : attempt.name + QStringLiteral(": ") + attempt.message);
    return chainName + QStringLiteral(" failed to retrieve a token from the included credentials.") +
           QStringLiteral("\nAttempted credentials:\n\t") + lines.join(QStringLiteral("\n\t")) +
           QStringLiteral("\nTo mitigate this issue, please refer to the troubleshooting guidelines here at "
                          "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot.");
}

} // namespace azid::detail
