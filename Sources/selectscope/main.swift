print("selectscope")
