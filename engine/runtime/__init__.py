"""The journey runtime: the step function, the dispatcher, lifecycle and time.

Import from the modules (`engine.runtime.runtime`, `engine.runtime.step`...); this
package file stays empty so the store can use the runtime's record types.
"""
