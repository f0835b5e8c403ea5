"""Chart builders: one function per chart, plain data in, a matplotlib ``Figure`` out.

No pyplot and no Qt here: the same figure is shown on screen (``FigureCanvasQTAgg``) and drawn
into the PDF reports, so the screen and the paper never disagree.
"""
