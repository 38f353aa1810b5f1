"""What a fit returns and how it is shown: the result records and their one serializer (to_dict), tables, plots and progress on stderr."""
