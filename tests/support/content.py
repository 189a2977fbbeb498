"""Course files that attack the content reader."""

#: a role-play whose counter grows without end: exploring its states hits the cap
COUNTER_LOOP = """---
title: Endless
type: scenario
pass: {outcomes: [ok]}
---
## Ask {#ask}

**Клиент:** Ещё вопрос?

- [Ответить ещё раз](#ask) points+1
- [Закончить](#end) if points < 0

## End {#end}

outcome: ok
"""

#: a role-play with a reply no run can ever be offered
NEVER_OFFERED = """---
title: Small talk
type: scenario
---
## Ask {#ask}

**Клиент:** Здравствуйте!

- [Поздороваться](#end) points+1
- [Никогда](#end) if points > 5

## End {#end}

outcome: ok
"""
