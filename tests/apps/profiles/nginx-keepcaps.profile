# An OS whose prctl() only pretends to implement PR_SET_KEEPCAPS (the
# capabilities are not kept); every other option is Linux's.
prctl partial pass
prctl when option=PR_SET_KEEPCAPS fake 0
