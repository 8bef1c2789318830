"""``python -m wjexcel``; the command runs only when this module is run, never when it is imported."""

if __name__ == "__main__":
    from wjexcel.cli import main

    main()
