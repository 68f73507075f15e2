"""The Dutch collection law as pure functions: no AWS, no clock, no I/O beyond the rate table file.

Import the module you need (``from incasso.law.wik import collection_costs``): this package imports none
of them, so a Lambda that needs one rule does not load them all (cold start).

- ``wik``: collection costs (BIK staffel, art. 6:96 BW and Besluit BIK)
- ``interest``: statutory interest (art. 6:119 / 6:119a BW) with yearly capitalisation
- ``allocation``: payments over costs, interest, principal (art. 6:44 BW)
- ``terms``: business days, presumed delivery, the 14-day term (art. 6:96 lid 6 BW), call slots
- ``limitation``: verjaring (art. 3:307, 7:28, 3:317–3:319, 3:324 BW)
"""
