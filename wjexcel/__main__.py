from wjexcel.cli import main

main()
