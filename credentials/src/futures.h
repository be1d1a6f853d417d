#pragma once

#include "azid/readyfuture.h"

#include <QFuture>
#include <QPromise>

namespace azid::detail {

using azid::ready;

} // namespace azid::detail

#include "azid/result.h"

#include <QObject>
#include <QPointer>

#include <type_traits>

namespace azid::detail {

template <typename R> struct Abandoned;
template <> struct Abandoned<void>
{
    static void value() {}
};
template <typename T> struct Abandoned<Result<T>>
{
    static Result<T> value()
    {
        return AuthError::unavailable(
            QStringLiteral("The request was abandoned: the object that made it was deleted."));
    }
};
template <typename T> struct Abandoned<QFuture<T>>
{
    static QFuture<T> value() { return ready(Abandoned<T>::value()); }
};

template <typename T> struct CallSignature : CallSignature<decltype(&T::operator())>
{};
template <typename C, typename R, typename A> struct CallSignature<R (C::*)(A) const>
{
    using Return = R;
    using Argument = A;
};
template <typename C, typename R, typename A> struct CallSignature<R (C::*)(A)>
{
    using Return = R;
    using Argument = A;
};

// A continuation that runs where the future finishes (the object's own thread: everything in the
// library finishes there) and only reports the request abandoned once `context` is gone. Qt 6.4's
// then(context, ...) asserts when the context dies while a future is still pending.
template <typename F> auto guarded(QObject *context, F function)
{
    using Return = typename CallSignature<F>::Return;
    using Argument = typename CallSignature<F>::Argument;
    return [guard = QPointer<QObject>(context),
            function = std::move(function)](Argument argument) mutable -> Return {
        if (!guard)
            return Abandoned<Return>::value();
        return function(std::forward<Argument>(argument));
    };
}

} // namespace azid::detail

#include <optional>
#include <vector>

namespace azid::detail {

// One result for many waiters. QFuture takes a single continuation, so a request that several
// callers share hands each of them a future of their own.
template <typename T> class Broadcast
{
public:
    QFuture<T> subscribe()
    {
        QPromise<T> promise;
        promise.start();
        QFuture<T> future = promise.future();
        if (m_value) {
            promise.addResult(*m_value);
            promise.finish();
        } else {
            m_waiters.push_back(std::move(promise));
        }
        return future;
    }

    void publish(const T &value)
    {
        m_value = value;
        std::vector<QPromise<T>> waiters = std::move(m_waiters);
        m_waiters.clear();
        for (QPromise<T> &promise : waiters) {
            promise.addResult(value);
            promise.finish();
        }
    }

    const std::optional<T> &value() const { return m_value; }

private:
    std::vector<QPromise<T>> m_waiters;
    std::optional<T> m_value;
};

} // namespace azid::detail
